import { z } from "@hono/zod-openapi";
import { and, count, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import { departments, invoices, organizations, paymentIntents, payments, refunds } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { isCalendarDate, parisToday } from "../../domain/dates";
import { COLLECTED_PAYMENT_STATUSES, LEDGER_PAYMENT_METHODS, type LedgerPaymentMethod } from "../../domain/payment";
import { RECEIVED_INTENT_STATUSES } from "../../domain/payment-intent";
import { percentOneDecimal, REPORT_PERIODS, reportWindow } from "../../domain/report-periods";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { ANY_ORGANIZATION, scoped } from "../tenancy";
import { bucketIndex, paymentDepartment, paymentInvoiceJoin, ReportCurrency, total } from "./shared";

export const PaymentStatsInput = z.object({
  period: z
    .enum(REPORT_PERIODS)
    .default("month")
    .openapi({ description: "The Europe/Paris calendar period holding `date`: `day` (hour buckets), `week` (ISO, Monday to Sunday; day buckets), `month` (day buckets) or `year` (month buckets). Default `month`.", example: "month" }),
  date: z
    .string()
    .refine((v) => isCalendarDate(v) && v >= "1970-01-01" && v <= "2999-12-31", "must be a date YYYY-MM-DD between 1970 and 2999")
    .optional()
    .openapi({ format: "date", description: "A day of the period, read in Europe/Paris. Default: today in Paris.", example: "2026-03-15" }),
  department_id: z
    .string()
    .refine((v) => isId("department", v), "must be a department id (dept-…)")
    .optional()
    .openapi({ description: "Only this department's payments (an offline payment's own department, else its invoice's). Another partner's department answers 404.", example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  currency: ReportCurrency,
});

type Input = z.infer<typeof PaymentStatsInput>;

const zeroByMethod = () => Object.fromEntries(LEDGER_PAYMENT_METHODS.map((m) => [m, 0])) as Record<LedgerPaymentMethod, number>;

/**
 * Collections of a Paris calendar period (issue 14, seed 002): money received (ledger payments in
 * a collected status, by `paid_at`), refunded (refunds succeeded, by `completed_at`), pending
 * (payments initiated and not settled, initiated in the period), the split by method, a series
 * of buckets, and the conversion of the intents created in the period where the payer chose a
 * method. One D1 batch: the checks that the organization and the department are the caller's
 * ride with the sums.
 */
export async function getPaymentStats({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string | null; input: Input }) {
  const window = reportWindow(input.period, input.date ?? parisToday(new Date(ctx.now)));
  const scope = organizationId ?? ANY_ORGANIZATION;
  const departmentId = input.department_id;

  const paidIn = and(gte(payments.paid_at, window.start), lt(payments.paid_at, window.endExclusive));
  const paymentScope = and(scoped(ctx, payments, scope), eq(payments.currency, input.currency), departmentId ? eq(paymentDepartment, departmentId) : undefined);
  const paymentBucket = bucketIndex(payments.paid_at, window.buckets);
  const refundBucket = bucketIndex(refunds.completed_at, window.buckets);

  const [org, dept, collected, refunded, pending, conversion] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId ?? "")),
    ctx.db
      .select({ id: departments.id })
      .from(departments)
      .where(and(eq(departments.id, departmentId ?? ""), scoped(ctx, departments, scope))),
    ctx.db
      .select({ bucket: paymentBucket, method: payments.method, amount: total(payments.amount), n: count() })
      .from(payments)
      .leftJoin(invoices, paymentInvoiceJoin(ctx, scope))
      .where(and(paymentScope, statusIn(payments.status, COLLECTED_PAYMENT_STATUSES), paidIn))
      .groupBy(paymentBucket, payments.method),
    // A refund's department is its payment's.
    ctx.db
      .select({ bucket: refundBucket, amount: total(refunds.amount) })
      .from(refunds)
      .leftJoin(payments, and(eq(payments.payment_intent_id, refunds.payment_intent_id), scoped(ctx, payments, scope)))
      .leftJoin(invoices, paymentInvoiceJoin(ctx, scope))
      .where(
        and(
          scoped(ctx, refunds, scope),
          eq(refunds.currency, input.currency),
          eq(refunds.status, "succeeded"),
          gte(refunds.completed_at, window.start),
          lt(refunds.completed_at, window.endExclusive),
          departmentId ? eq(paymentDepartment, departmentId) : undefined,
        ),
      )
      .groupBy(refundBucket),
    ctx.db
      .select({ amount: total(payments.amount) })
      .from(payments)
      .leftJoin(invoices, paymentInvoiceJoin(ctx, scope))
      .where(and(paymentScope, eq(payments.status, "pending"), paidIn)),
    // An intent's department is its invoice's (a request's intent has none).
    ctx.db
      .select({
        chose: count(),
        succeeded: sql<number>`COALESCE(SUM(CASE WHEN ${statusIn(paymentIntents.status, RECEIVED_INTENT_STATUSES)} THEN 1 ELSE 0 END), 0)`.mapWith(Number),
      })
      .from(paymentIntents)
      .leftJoin(invoices, and(eq(invoices.id, paymentIntents.invoice_id), scoped(ctx, invoices, scope)))
      .where(
        and(
          scoped(ctx, paymentIntents, scope),
          eq(paymentIntents.currency, input.currency),
          isNotNull(paymentIntents.selected_payment_method),
          gte(paymentIntents.created_at, window.start),
          lt(paymentIntents.created_at, window.endExclusive),
          departmentId ? eq(invoices.department_id, departmentId) : undefined,
        ),
      ),
  ]);
  if (organizationId && org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  if (departmentId && dept.length === 0) throw new NotFound("department", departmentId, "department_id");

  const series = window.buckets.map((b) => ({ start: b.label, collected: 0, refunded: 0, count: 0 }));
  const byMethod = zeroByMethod();
  let totalCollected = 0;
  let paymentsCount = 0;
  for (const row of collected) {
    const bucket = series[Number(row.bucket)]!;
    bucket.collected += row.amount;
    bucket.count += row.n;
    byMethod[row.method] += row.amount;
    totalCollected += row.amount;
    paymentsCount += row.n;
  }
  let totalRefunded = 0;
  for (const row of refunded) {
    series[Number(row.bucket)]!.refunded += row.amount;
    totalRefunded += row.amount;
  }
  const intents = conversion[0] ?? { chose: 0, succeeded: 0 };

  return {
    object: "payment_stats" as const,
    period: window.period,
    from: window.from,
    to: window.to,
    currency: input.currency,
    total_collected: totalCollected,
    total_refunded: totalRefunded,
    net_collected: totalCollected - totalRefunded,
    total_pending: pending[0]?.amount ?? 0,
    payments_count: paymentsCount,
    by_method: byMethod,
    conversion_rate: percentOneDecimal(intents.succeeded, intents.chose),
    series,
  };
}
