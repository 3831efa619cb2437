import { z } from "@hono/zod-openapi";
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { invoiceRecomputeStatements } from "../../db/projection/payment-intent";
import { invoices, payments } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { paymentSource } from "../../domain/payment";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, eventEntry, publishEvents, type ServiceContext } from "../context";
import { owner, scoped, type OrganizationScope } from "../tenancy";
import { presentPayment, type PaymentRow } from "./query";

export const VoidPaymentInput = z
  .strictObject({
    reason: Text({ min: 1, max: 500, multiline: true }).openapi({ description: "Why the payment was recorded by mistake (kept in the ledger and the audit trail).", example: "Chèque enregistré deux fois" }),
  })
  .openapi("PaymentVoid", { example: { reason: "Chèque enregistré deux fois" } });

/**
 * Voids an offline payment recorded by mistake: the entry stays in the ledger as `voided` (no
 * longer counted), and in the same batch `payment.voided`, its audit entry and the invoice
 * recomputed from the ledger (`invoice.status_changed` if its status moves back). An online
 * payment is refunded, never voided (409 `payment_not_voidable`). Voiding a voided payment
 * changes nothing and answers it as it is (a status transition repeated returns the current
 * state). The payment is read first; the change is guarded on it still being completed, so two
 * voids at once write one.
 */
export async function voidPayment({ ctx, organizationId: scope, id, input }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; input: z.infer<typeof VoidPaymentInput> }) {
  if (!isId("payment", id)) throw new NotFound("payment", id, "id");
  const thePayment = and(eq(payments.id, id), scoped(ctx, payments, scope));
  const read = () =>
    ctx.db
      .select({ ...getTableColumns(payments), invoice_department_id: invoices.department_id })
      .from(payments)
      .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, scope)))
      .where(thePayment);
  const [found] = await read();
  if (!found) throw new NotFound("payment", id, "id");
  const { invoice_department_id: invoiceDepartment, ...payment } = found;
  // The payment's own organization (X-Entity-Id is optional here): what the batch writes.
  const organizationId = payment.organization_id;
  if (paymentSource(payment.method) === "online") {
    throw new Conflict("An online payment cannot be voided: refund it (POST /v1/refunds).", "payment_not_voidable", "id");
  }
  if (payment.status === "voided") return presentPayment(payment, invoiceDepartment);
  if (payment.status !== "completed" || payment.invoice_id === null) {
    throw new Conflict(`A ${payment.status} payment cannot be voided.`, "payment_not_voidable", "id");
  }

  const voidedNow = and(thePayment, eq(payments.status, "voided"), eq(payments.voided_at, ctx.now));
  const voided = sql`EXISTS (SELECT 1 FROM ${payments} WHERE ${voidedNow})`;
  const after: PaymentRow = { ...payment, status: "voided", voided_at: ctx.now, void_reason: input.reason, updated_at: ctx.now, version: payment.version + 1 };
  const presented = presentPayment(after, invoiceDepartment);
  const eventId = newId("event");
  const invoiceEventId = newId("event");
  const statements: BatchItem[] = [
    ctx.db
      .update(payments)
      .set({ status: "voided", voided_at: ctx.now, void_reason: input.reason, updated_at: ctx.now, version: sql`${payments.version} + 1` })
      .where(and(thePayment, eq(payments.status, "completed"))),
    eventEntry(ctx, { id: eventId, organizationId, type: "payment.voided", data: { payment_id: id, payment: presented } }, voided),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "payment",
        resourceId: id,
        action: "voided",
        before: { status: payment.status, voided_at: null, void_reason: null },
        after: { status: "voided", voided_at: ctx.now, void_reason: input.reason },
      },
      voided,
    ),
    ...invoiceRecomputeStatements(ctx.db, {
      tenant: { ...owner(ctx), organization_id: organizationId },
      invoiceId: payment.invoice_id,
      at: ctx.now,
      today: parisToday(new Date(Date.parse(ctx.now))),
      eventId: invoiceEventId,
      auditId: newId("audit_log"),
      actor: ctx.actor,
      requestId: ctx.requestId,
      cause: [["payment_id", id]],
      guard: voided,
    }),
  ];
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  if (changes(results[0]) === 0) {
    // Voided by a request that ran between our read and our batch: its answer is ours.
    const [now] = await read();
    const { invoice_department_id, ...row } = now!;
    return presentPayment(row, invoice_department_id);
  }
  publishEvents(ctx, [eventId, ...(changes(results[3]) === 1 ? [invoiceEventId] : [])]);
  return presented;
}

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
