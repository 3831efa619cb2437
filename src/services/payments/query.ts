import { and, count, desc, eq, gte, lt } from "drizzle-orm";
import { invoices, organizations, payments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { scoped } from "../tenancy";

export type PaymentRow = typeof payments.$inferSelect;

/** A ledger entry: money collected on an invoice (seed 002's payment, in our conventions). */
export function presentPayment(row: PaymentRow) {
  return {
    id: row.id,
    object: "payment" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    invoice_id: row.invoice_id,
    payment_intent_id: row.payment_intent_id,
    payment_link_id: row.payment_link_id,
    amount: row.amount,
    refunded_amount: row.refunded_amount,
    currency: row.currency,
    method: row.method,
    status: row.status,
    paid_at: row.paid_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function paymentWhere(ctx: ServiceContext, organizationId: string) {
  return scoped(ctx, payments, organizationId);
}

export async function getPayment({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  if (!isId("payment", id)) throw new NotFound("payment", id, "id");
  const [row] = await ctx.db.select().from(payments).where(and(eq(payments.id, id), paymentWhere(ctx, organizationId)));
  if (!row) throw new NotFound("payment", id, "id");
  return presentPayment(row);
}

export interface PaymentFilters {
  status?: PaymentRow["status"] | undefined;
  invoice_id?: string | undefined;
  method?: PaymentRow["method"] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Newest first by payment date. */
export async function listPayments({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: PaymentFilters & { page: number; pageSize: number; offset: number };
}) {
  const where = and(
    paymentWhere(ctx, organizationId),
    input.status ? eq(payments.status, input.status) : undefined,
    input.invoice_id ? eq(payments.invoice_id, input.invoice_id) : undefined,
    input.method ? eq(payments.method, input.method) : undefined,
    input.from ? gte(payments.paid_at, input.from) : undefined,
    input.to ? lt(payments.paid_at, input.to) : undefined,
  );
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(payments).where(where).orderBy(desc(payments.paid_at), desc(payments.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(payments).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  return { data: rows.map(presentPayment), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}

/** Every payment of one invoice (partial payments add up), oldest first. 404 for a foreign invoice. */
export async function listInvoicePayments({ ctx, organizationId, invoiceId }: { ctx: ServiceContext; organizationId: string; invoiceId: string }) {
  if (!isId("invoice", invoiceId)) throw new NotFound("invoice", invoiceId, "id");
  const [inv, rows] = await ctx.db.batch([
    ctx.db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId))),
    ctx.db.select().from(payments).where(and(eq(payments.invoice_id, invoiceId), paymentWhere(ctx, organizationId))).orderBy(payments.paid_at, payments.id),
  ]);
  if (inv.length === 0) throw new NotFound("invoice", invoiceId, "id");
  return { data: rows.map(presentPayment) };
}

