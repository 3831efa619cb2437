import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { creditNotes, invoices, paymentLinks } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { CANCELLABLE_BY_CREDIT_NOTE } from "../../domain/invoice-status";
import { Conflict } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { findInvoice, invoiceWhere } from "./get-invoice";
import { incrementCounter, numberExpression } from "./numbering";
import { Text } from "../../lib/text";
import { unsealPayer } from "./payer";
import { presentInvoiceWith, type CreditNoteRow, type InvoiceRow } from "./present";
import { owner, scoped } from "../tenancy";

export const CancelInvoiceInput = z
  .strictObject({ reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Erreur de facturation" }) })
  .openapi("InvoiceCancel", { example: { reason: "Erreur de facturation" } });

/**
 * A draft is simply cancelled. An issued (or overdue) invoice with no money on it keeps its
 * number forever and is cancelled by a credit note (AV-…, its own gap-free series) that cites it
 * (CGI 289-I-5). With money on it → 409: refund first.
 */
export async function cancelInvoice({
  ctx,
  organizationId,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  id: string;
  input: z.infer<typeof CancelInvoiceInput>;
}) {
  const { row: before } = await findInvoice(ctx, organizationId, id);
  if (before.status === "cancelled") throw new Conflict("The invoice is already cancelled.", "invoice_already_cancelled");
  const byCreditNote = (CANCELLABLE_BY_CREDIT_NOTE as readonly string[]).includes(before.status);
  if (before.status !== "draft" && (!byCreditNote || before.amount_paid > 0)) {
    throw new Conflict(
      `Invoice ${before.invoice_number} has ${before.amount_paid} cents paid on it: refund the payments before cancelling.`,
      "invoice_has_payments",
    );
  }

  const [activeLink] = await ctx.db
    .select({ id: paymentLinks.id })
    .from(paymentLinks)
    .where(and(scoped(ctx, paymentLinks, organizationId), eq(paymentLinks.invoice_id, id), eq(paymentLinks.status, "active")))
    .limit(1);
  if (activeLink) {
    throw new Conflict(`Invoice has an active payment link (${activeLink.id}): revoke it before cancelling.`, "invoice_has_active_links");
  }

  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const after: InvoiceRow = {
    ...before,
    status: "cancelled",
    amount_due: 0,
    cancelled_at: ctx.now,
    version: before.version + 1,
    updated_at: ctx.now,
  };
  // No link may become active between the check above and this batch (link creation is guarded the other way round).
  const noActiveLink = sql`NOT EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${scoped(ctx, paymentLinks, organizationId)} AND ${paymentLinks.invoice_id} = ${id} AND ${paymentLinks.status} = 'active')`;
  const unchanged = and(invoiceWhere(ctx, organizationId, id), eq(invoices.status, before.status), eq(invoices.amount_paid, 0), eq(invoices.version, before.version), noActiveLink);
  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${unchanged})`;
  const eventId = newId("event");
  const statusEvent = { invoice_id: id, previous_status: before.status, current_status: "cancelled" };

  if (!byCreditNote) {
    const invoice = presentInvoiceWith(after, payer);
    const [, , updated] = await ctx.db.batch([
      auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "status_changed", before: { status: "draft" }, after: { status: "cancelled" } }, guard),
      eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.status_changed", data: { ...statusEvent, invoice } }), guard),
      ctx.db.update(invoices).set({ status: "cancelled", amount_due: 0, cancelled_at: ctx.now, version: after.version, updated_at: ctx.now }).where(unchanged),
    ]);
    if (changes(updated) === 0) throw new Conflict("The invoice changed while it was being cancelled; read it again.", "concurrent_update");
    publishEvents(ctx, [eventId]);
    return invoice;
  }

  const today = parisToday();
  const year = Number(today.slice(0, 4));
  const number = numberExpression(organizationId, "credit_note", year);
  const creditNoteId = newId("credit_note");
  const seller = (before.mentions as { seller?: unknown } | null)?.seller ?? null;
  const invoiceIssueDate = parisToday(new Date(before.issued_at!));
  const note: CreditNoteRow = {
    id: creditNoteId,
    ...owner(ctx),
    organization_id: organizationId,
    invoice_id: id,
    credit_note_number: "",
    invoice_number: before.invoice_number!,
    invoice_issue_date: invoiceIssueDate,
    reason: input.reason ?? null,
    currency: before.currency,
    subtotal_amount: before.subtotal_amount,
    tax_amount: before.tax_amount,
    total_amount: before.total_amount,
    tax_breakdown: before.tax_breakdown,
    mentions: {
      document_type: "Avoir",
      type_code: 381,
      issue_date: today,
      seller,
      cancels: `Avoir annulant la facture n° ${before.invoice_number} du ${invoiceIssueDate.split("-").reverse().join("/")}`,
      reason: input.reason ?? null,
    },
    issued_at: ctx.now,
    created_at: ctx.now,
  };
  after.credit_note_id = creditNoteId;
  const invoice = presentInvoiceWith(after, payer, note);

  const results = await ctx.db.batch([
    incrementCounter(ctx.db, organizationId, "credit_note", year, guard),
    insertWhere(ctx.db, creditNotes, { ...note, credit_note_number: number as unknown as string }, guard),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "credit_note",
        resourceId: creditNoteId,
        action: "created",
        before: null,
        after: null,
        changesSql: sql`json_object('before', NULL, 'after', json_set(${JSON.stringify(note)}, '$.credit_note_number', ${number}))`,
      },
      guard,
    ),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "invoice",
        resourceId: id,
        action: "status_changed",
        before: { status: before.status },
        after: { status: "cancelled", credit_note_id: creditNoteId },
      },
      guard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, {
        id: eventId,
        organizationId,
        type: "invoice.status_changed",
        data: { ...statusEvent, invoice },
        assigned: { "invoice.credit_note.credit_note_number": number },
      }),
      guard,
    ),
    ctx.db
      .update(invoices)
      .set({ status: "cancelled", amount_due: 0, cancelled_at: ctx.now, credit_note_id: creditNoteId, version: after.version, updated_at: ctx.now })
      .where(unchanged),
    ctx.db.select().from(creditNotes).where(and(eq(creditNotes.id, creditNoteId), scoped(ctx, creditNotes, organizationId))),
  ]);
  if (changes(results[5]) === 0) throw new Conflict("The invoice changed while it was being cancelled; read it again.", "concurrent_update");
  publishEvents(ctx, [eventId]);
  return presentInvoiceWith(after, payer, results[6][0]!);
}
