import { z } from "@hono/zod-openapi";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { departments, invoices, organizations, payments, refunds } from "../../db/schema";
import { parisStartOfDay, parisToday, addDays } from "../../domain/dates";
import { COLLECTED_PAYMENT_STATUSES, type PaymentStatus } from "../../domain/payment";
import type { RefundStatus } from "../../domain/refund";
import { parisMonth } from "../../domain/report-periods";
import { NotFound } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { ANY_ORGANIZATION, scoped } from "../tenancy";
import { paymentDepartment, paymentInvoiceJoin, ReportCurrency, total } from "./shared";

export const BalanceInput = z.object({ currency: ReportCurrency });

export interface BalanceFigures {
  collected: number;
  refunded: number;
  net: number;
  pending: number;
  refunds_pending: number;
  currency: string;
}

interface Figures {
  all_time: BalanceFigures;
  month: BalanceFigures;
}

const zero = (currency: string): BalanceFigures => ({ collected: 0, refunded: 0, net: 0, pending: 0, refunds_pending: 0, currency });
const zeroFigures = (currency: string): Figures => ({ all_time: zero(currency), month: zero(currency) });

/** Adds `amount` to a figure of the lifetime totals and, when it happened this month, of the month's. */
function add(target: Figures, field: "collected" | "refunded" | "pending" | "refunds_pending", amount: number, inMonth: boolean) {
  target.all_time[field] += amount;
  if (inMonth) target.month[field] += amount;
}

function withNet(f: Figures): Figures {
  for (const b of [f.all_time, f.month]) b.net = b.collected - b.refunded;
  return f;
}

/**
 * What went through each organization and department (issue 14, seed 004), since the beginning
 * and in the current Paris month. A statement, not a wallet: payments go straight to the
 * departments' own bank accounts and we never hold funds, so nothing here can be paid out.
 * Collected counts payments received (by `paid_at`), refunded the refunds that succeeded (by
 * `completed_at`), pending the payments initiated and not settled, refunds_pending the refunds
 * asked and not yet settled (by their creation for the month). One D1 batch.
 */
export async function getBalance({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string | null; input: z.infer<typeof BalanceInput> }) {
  const scope = organizationId ?? ANY_ORGANIZATION;
  const month = parisMonth(parisToday(new Date(ctx.now)));
  const monthStart = parisStartOfDay(month.from).toISOString();
  const monthEnd = parisStartOfDay(addDays(month.to, 1)).toISOString();
  const department = paymentDepartment;
  const paymentInMonth = sql<number>`(${payments.paid_at} >= ${monthStart} AND ${payments.paid_at} < ${monthEnd})`.mapWith(Number);
  // A succeeded refund counts in the month it completed, a pending one in the month it was asked.
  const refundAt = sql`COALESCE(${refunds.completed_at}, ${refunds.created_at})`;
  const refundInMonth = sql<number>`(${refundAt} >= ${monthStart} AND ${refundAt} < ${monthEnd})`.mapWith(Number);

  const [orgs, depts, paid, refunded] = await ctx.db.batch([
    ctx.db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(and(scoped(ctx, organizations), organizationId ? eq(organizations.id, organizationId) : undefined))
      .orderBy(organizations.created_at, organizations.id),
    ctx.db
      .select({ id: departments.id, organization_id: departments.organization_id, name: departments.name, code: departments.code })
      .from(departments)
      .where(scoped(ctx, departments, scope))
      .orderBy(departments.created_at, departments.id),
    ctx.db
      .select({ organization_id: payments.organization_id, department_id: department, status: payments.status, in_month: paymentInMonth, amount: total(payments.amount) })
      .from(payments)
      .leftJoin(invoices, paymentInvoiceJoin(ctx, scope))
      .where(and(scoped(ctx, payments, scope), eq(payments.currency, input.currency)))
      .groupBy(payments.organization_id, department, payments.status, paymentInMonth),
    ctx.db
      .select({ organization_id: refunds.organization_id, department_id: department, status: refunds.status, in_month: refundInMonth, amount: total(refunds.amount) })
      .from(refunds)
      .leftJoin(payments, and(eq(payments.payment_intent_id, refunds.payment_intent_id), scoped(ctx, payments, scope)))
      .leftJoin(invoices, paymentInvoiceJoin(ctx, scope))
      .where(and(scoped(ctx, refunds, scope), eq(refunds.currency, input.currency)))
      .groupBy(refunds.organization_id, department, refunds.status, refundInMonth),
  ]);
  if (organizationId && orgs.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");

  const currency = input.currency;
  const byOrg = new Map<string, Figures>();
  const byDept = new Map<string, Figures>();
  const unassigned = new Map<string, Figures>();
  const partnerTotal = zeroFigures(currency);
  const targets = (orgId: string, deptId: string | null) => {
    const pick = <K,>(map: Map<K, Figures>, key: K) => map.get(key) ?? map.set(key, zeroFigures(currency)).get(key)!;
    return [pick(byOrg, orgId), deptId ? pick(byDept, deptId) : pick(unassigned, orgId), partnerTotal];
  };

  for (const row of paid) {
    const status = row.status as PaymentStatus;
    const field = (COLLECTED_PAYMENT_STATUSES as readonly PaymentStatus[]).includes(status) ? "collected" : status === "pending" ? "pending" : null;
    if (!field) continue;
    for (const t of targets(row.organization_id, row.department_id)) add(t, field, row.amount, row.in_month === 1);
  }
  for (const row of refunded) {
    const status = row.status as RefundStatus;
    const field = status === "succeeded" ? "refunded" : status === "pending" ? "refunds_pending" : null;
    if (!field) continue;
    for (const t of targets(row.organization_id, row.department_id)) add(t, field, row.amount, row.in_month === 1);
  }

  return {
    object: "balance" as const,
    livemode: ctx.principal.livemode,
    currency,
    as_of: ctx.now,
    month: month,
    totals: withNet(partnerTotal),
    organizations: orgs.map((o) => ({
      organization_id: o.id,
      name: o.name,
      ...withNet(byOrg.get(o.id) ?? zeroFigures(currency)),
      departments: depts
        .filter((d) => d.organization_id === o.id)
        .map((d) => ({ department_id: d.id, name: d.name, code: d.code, ...withNet(byDept.get(d.id) ?? zeroFigures(currency)) })),
      without_department: withNet(unassigned.get(o.id) ?? zeroFigures(currency)),
    })),
  };
}
