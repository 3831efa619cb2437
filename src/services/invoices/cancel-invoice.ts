import { z } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { creditNotes, invoices, paymentLinks } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { remainderToCancel } from "../../domain/credit-note";
import { CANCELLABLE_BY_CREDIT_NOTE } from "../../domain/invoice-status";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { depositIds, releaseDeposits } from "./deposits";
import { creditNotesOf, invoiceWhere } from "./get-invoice";
import { counterStill, counterValue, incrementCounter, numberExpression } from "./numbering";
import { formatNumber } from "../../domain/numbering";
import { Text } from "../../lib/text";
import { unsealPayer } from "./payer";
import { presentInvoiceWith, type CreditNoteRow, type InvoiceRow } from "./present";
import { organizationOfObject, owner, scoped, type OrganizationScope } from "../tenancy";
import { ensureCreditNoteDocuments, renderCreditNote, storeAlongside } from "../documents/invoice-documents";
import type { FacturX } from "../documents/render";
import { log } from "../../lib/log";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

export const CancelInvoiceInput = z
  .strictObject({ reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Erreur de facturation" }) })
  .openapi("InvoiceCancel", { example: { reason: "Erreur de facturation" } });

/**
 * A draft is simply cancelled. An issued (or overdue) invoice with no money on it keeps its
 * number forever and is cancelled by a credit note (AV-…, its own gap-free series) that cites it
 * (CGI 289-I-5). With money on it → 409: refund first. Deposits the invoice deducted are released
 * in the same batch (another invoice may deduct them).
 */
export async function cancelInvoice({
  ctx,
  organizationId: scope,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof CancelInvoiceInput>;
}) {
  if (!isId("invoice", id)) throw new NotFound("invoice", id, "id");
  const today = parisToday();
  const year = Number(today.slice(0, 4));
  // One read: the invoice, its credit notes, an active link on it, and the credit notes' counter
  // (its next number goes on the credit note's document). The batch re-checks all of it.
  // X-Entity-Id is optional here: the counter is the invoice's own organization's, read by subquery.
  const [rows, earlierNotes, [activeLink], [counter]] = await ctx.db.batch([
    ctx.db.select().from(invoices).where(invoiceWhere(ctx, scope, id)),
    creditNotesOf(ctx, scope, id),
    ctx.db
      .select({ id: paymentLinks.id })
      .from(paymentLinks)
      .where(and(scoped(ctx, paymentLinks, scope), eq(paymentLinks.invoice_id, id), eq(paymentLinks.status, "active")))
      .limit(1),
    counterValue(ctx.db, organizationOfObject(ctx, invoices, scope, id), "credit_note", year),
  ]);
  const before = rows[0];
  if (!before) throw new NotFound("invoice", id, "id");
  const organizationId = before.organization_id;
  if (before.status === "cancelled") throw new Conflict("The invoice is already cancelled.", "invoice_already_cancelled");
  const byCreditNote = (CANCELLABLE_BY_CREDIT_NOTE as readonly string[]).includes(before.status);
  if (before.status !== "draft" && (!byCreditNote || before.amount_paid > 0)) {
    throw new Conflict(
      `Invoice ${before.invoice_number} has ${before.amount_paid} cents paid on it: refund the payments before cancelling.`,
      "invoice_has_payments",
    );
  }
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
  const statusEvent = { invoice_id: id, previous_status: before.status, current_status: "cancelled" };

  if (!byCreditNote) {
    const invoice = presentInvoiceWith(after, payer);
    const eventId = newId("event");
    const draftResults = await ctx.db.batch([
      auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "status_changed", before: { status: "draft" }, after: { status: "cancelled" } }, guard),
      eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.status_changed", data: { ...statusEvent, invoice } }), guard),
      // They read the invoice's version in their guard: they go before its update.
      ...releaseDeposits(ctx, organizationId, id, depositIds(before), guard),
      ctx.db.update(invoices).set({ status: "cancelled", amount_due: 0, cancelled_at: ctx.now, version: after.version, updated_at: ctx.now }).where(unchanged),
    ]);
    if (changes(draftResults[draftResults.length - 1]) === 0) throw new Conflict("The invoice changed while it was being cancelled; read it again.", "concurrent_update");
    publishEvents(ctx, [eventId]);
    return invoice;
  }

  const creditNoteId = newId("credit_note");
  const seller = (before.mentions as { seller?: unknown } | null)?.seller ?? null;
  const invoiceIssueDate = parisToday(new Date(before.issued_at!));
  // Price reductions already credited part of it: this credit note credits the rest, rate by rate.
  const remainder = remainderToCancel(
    before,
    earlierNotes.filter((n) => n.type === "price_reduction"),
    `Annulation du solde de la facture n° ${before.invoice_number}`,
  );
  const note: CreditNoteRow = {
    id: creditNoteId,
    ...owner(ctx),
    version: 1,
    organization_id: organizationId,
    invoice_id: id,
    credit_note_number: "",
    type: "cancellation",
    refund_id: null,
    line_items: remainder?.line_items ?? null,
    document_sha256: null,
    xml_sha256: null,
    document_generated_at: null,
    invoice_number: before.invoice_number!,
    invoice_issue_date: invoiceIssueDate,
    reason: input.reason ?? null,
    currency: before.currency,
    subtotal_amount: remainder?.subtotal_amount ?? before.subtotal_amount,
    tax_amount: remainder?.tax_amount ?? before.tax_amount,
    total_amount: remainder?.total_amount ?? before.total_amount,
    tax_breakdown: remainder?.tax_breakdown ?? before.tax_breakdown,
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

  /**
   * One try of the cancel's batch. `predicted`: the credit note's number is the counter's next
   * value, its Factur-X is made and stored before, and its hashes go in with it — the batch holds
   * only if the counter has not moved, and the counter moves last. Otherwise the number comes from
   * the counter inside the batch, and the documents right after it.
   */
  const commit = async (predicted: { last: number; number: string; docs: FacturX } | null) => {
    const g = predicted ? sql`${guard} AND ${counterStill(organizationId, "credit_note", year, predicted.last)}` : guard;
    const where = predicted ? and(unchanged, counterStill(organizationId, "credit_note", year, predicted.last)) : unchanged;
    const number: SQL | string = predicted ? predicted.number : numberExpression(organizationId, "credit_note", year);
    const row: CreditNoteRow = predicted
      ? { ...note, credit_note_number: predicted.number, document_sha256: predicted.docs.pdfSha256, xml_sha256: predicted.docs.xmlSha256, document_generated_at: ctx.now }
      : note;
    // The invoice lists its credit notes: any partial ones (price reductions), then this one.
    const invoice = presentInvoiceWith(after, payer, row, [...earlierNotes, row]);
    const eventId = newId("event");
    const tookNumber = sql`EXISTS (SELECT 1 FROM ${creditNotes} WHERE ${and(eq(creditNotes.id, creditNoteId), scoped(ctx, creditNotes, organizationId))})`;
    const statements: BatchItem[] = [
      ...(predicted ? [] : [incrementCounter(ctx.db, organizationId, "credit_note", year, g)]),
      insertWhere(ctx.db, creditNotes, { ...row, credit_note_number: number as unknown as string }, g),
      auditEntry(
        ctx,
        {
          organizationId,
          resourceType: "credit_note",
          resourceId: creditNoteId,
          action: "created",
          before: null,
          after: null,
          changesSql: sql`json_object('before', NULL, 'after', json_set(${JSON.stringify(row)}, '$.credit_note_number', ${number}))`,
        },
        g,
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
        g,
      ),
      eventEntry(
        ctx,
        await sealedEvent(ctx, {
          id: eventId,
          organizationId,
          type: "invoice.status_changed",
          data: { ...statusEvent, invoice },
          ...(predicted ? {} : { assigned: { "invoice.credit_note.credit_note_number": number as SQL, [`invoice.credit_notes[${earlierNotes.length}].credit_note_number`]: number as SQL } }),
        }),
        g,
      ),
      // They read the invoice's version in their guard: they go before its update.
      ...releaseDeposits(ctx, organizationId, id, depositIds(before), g),
      ctx.db
        .update(invoices)
        .set({ status: "cancelled", amount_due: 0, cancelled_at: ctx.now, credit_note_id: creditNoteId, version: after.version, updated_at: ctx.now })
        .where(where),
      ...(predicted ? [incrementCounter(ctx.db, organizationId, "credit_note", year, sql`${tookNumber} AND ${counterStill(organizationId, "credit_note", year, predicted.last)}`)] : []),
      ctx.db.select().from(creditNotes).where(and(eq(creditNotes.id, creditNoteId), scoped(ctx, creditNotes, organizationId))),
    ];
    const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
    const updated = results[results.length - (predicted ? 3 : 2)] as Parameters<typeof changes>[0];
    if (changes(updated) === 0) return null;
    publishEvents(ctx, [eventId]);
    return (results[results.length - 1] as CreditNoteRow[])[0]!;
  };

  const last = counter?.last ?? 0;
  const predictedNumber = formatNumber("credit_note", year, last + 1);
  const docs = await renderCreditNote(ctx.env, { ...note, credit_note_number: predictedNumber }, before);
  const [created] = await Promise.all([commit({ last, number: predictedNumber, docs }), storeAlongside(ctx, { ...owner(ctx), organization_id: organizationId }, "credit_notes", creditNoteId, docs)]);
  if (created) return presentInvoiceWith(after, payer, created, [...earlierNotes, created]);

  // Another credit note of the organization took that number (or the invoice changed: then this
  // try changes nothing either and says so).
  const numbered = await commit(null);
  if (!numbered) throw new Conflict("The invoice changed while it was being cancelled; read it again.", "concurrent_update");
  // Its Factur-X is made now that the batch gave it its number (else the first download or the
  // minute cron makes it: services/documents/archive-pending.ts).
  await ensureCreditNoteDocuments(ctx, numbered, before).catch((err: unknown) => {
    log.error("credit note archive deferred", { credit_note_id: numbered.id, request_id: ctx.requestId, error: err });
  });
  return presentInvoiceWith(after, payer, numbered, [...earlierNotes, numbered]);
}
