import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { invoices, payments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { PAYMENT_STATUSES } from "../../domain/payment";
import { DateBound, PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { PaymentMethodSchema } from "../payment-links/create-payment-link";
import { equalTo, listPage, organizationParent, within } from "../pagination";
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

export const ListPaymentsInput = PaginationQuery.extend({
  status: z.enum(PAYMENT_STATUSES).optional(),
  invoice_id: z.string().max(100).optional(),
  method: PaymentMethodSchema.optional(),
  from_date: DateBound.optional().openapi({ description: "Paid at or after (instant, or Paris date).", example: "2026-01-01" }),
  to_date: DateBound.optional().openapi({ description: "Paid on or before (a Paris date covers the whole day).", example: "2026-03-31" }),
});

/** Newest first by payment date. */
export async function listPayments({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListPaymentsInput> }) {
  const where = and(paymentWhere(ctx, organizationId), ...equalTo(input, { status: payments.status, invoice_id: payments.invoice_id, method: payments.method }), within(payments.paid_at, input.from_date, input.to_date));
  const rows = ctx.db.select().from(payments).where(where).orderBy(desc(payments.paid_at), desc(payments.id));
  return listPage(ctx, input, { rows, from: payments, where, parent: organizationParent(ctx, organizationId) }, presentPayment);
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

