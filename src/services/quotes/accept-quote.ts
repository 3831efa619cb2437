import { and, eq, gte, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { invoices, quotes } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { Conflict } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { sealPayer } from "../invoices/payer";
import { auditedInvoice, presentInvoiceWith, type InvoiceRow } from "../invoices/present";
import { findQuote, quoteWhere } from "./get-quote";
import { unsealQuotePayer } from "./payer";
import { presentQuoteWith, type QuoteRow } from "./present";
import { unanswerable } from "./rules";
import { owner } from "../tenancy";

/**
 * sent → accepted, and the draft invoice it becomes, in one batch: the invoice (the quote's
 * department, payer re-sealed for the invoice, lines, amounts, terms and exemption, `quote_id`)
 * with its audit entry and `invoice.created`, and the quote's change with its audit entry and
 * `quote.status_changed`, all guarded on the quote still being the sent, unexpired version
 * read: a second accept (or a concurrent one) writes nothing and gets 409.
 */
export async function acceptQuote({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  const before = await findQuote(ctx, organizationId, id);
  const today = parisToday();
  const refusal = unanswerable(before, today);
  if (refusal) throw refusal;

  const invoiceId = newId("invoice");
  const payer = await unsealQuotePayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const invoiceRow: InvoiceRow = {
    id: invoiceId,
    ...owner(ctx),
    organization_id: organizationId,
    department_id: before.department_id,
    status: "draft",
    invoice_number: null,
    currency: before.currency,
    payer_encrypted: await sealPayer(ctx.env.ENCRYPTION_KEY, invoiceId, payer),
    payer_email_hash: before.payer_email_hash,
    line_items: before.line_items,
    subtotal_amount: before.subtotal_amount,
    tax_amount: before.tax_amount,
    total_amount: before.total_amount,
    tax_breakdown: before.tax_breakdown,
    amount_paid: 0,
    amount_due: before.total_amount,
    type: "standard",
    deducted_deposits: null,
    deposits_amount: 0,
    credited_amount: 0,
    deducted_by: null,
    quote_id: id,
    service_date: null,
    service_period: null,
    operation_category: "services",
    payee_encrypted: null,
    document_sha256: null,
    xml_sha256: null,
    document_generated_at: null,
    // Due 30 days after issue unless the partner sets a date on the draft (as for any draft).
    due_date: null,
    payment_terms: before.payment_terms,
    vat_exemption_reason: before.vat_exemption_reason,
    mentions: null,
    metadata: {},
    warnings: [],
    credit_note_id: null,
    issued_at: null,
    paid_at: null,
    cancelled_at: null,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const after: QuoteRow = { ...before, status: "accepted", invoice_id: invoiceId, accepted_at: ctx.now, version: before.version + 1, updated_at: ctx.now };
  const invoice = presentInvoiceWith(invoiceRow, payer);
  const quote = presentQuoteWith(after, payer);

  const unchanged = and(quoteWhere(ctx, organizationId, id), eq(quotes.status, "sent"), eq(quotes.version, before.version), gte(quotes.valid_until, today));
  const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${unchanged})`;
  const invoiceEventId = newId("event");
  const quoteEventId = newId("event");
  const results = await ctx.db.batch([
    insertWhere(ctx.db, invoices, invoiceRow, guard),
    auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: invoiceId, action: "created", before: null, after: auditedInvoice(invoice) }, guard),
    eventEntry(ctx, await sealedEvent(ctx, { id: invoiceEventId, organizationId, type: "invoice.created", data: { invoice_id: invoiceId, invoice } }), guard),
    auditEntry(
      ctx,
      { organizationId, resourceType: "quote", resourceId: id, action: "status_changed", before: { status: "sent" }, after: { status: "accepted", invoice_id: invoiceId } },
      guard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, { id: quoteEventId, organizationId, type: "quote.status_changed", data: { quote_id: id, previous_status: "sent", current_status: "accepted", quote } }),
      guard,
    ),
    ctx.db.update(quotes).set({ status: "accepted", invoice_id: invoiceId, accepted_at: ctx.now, version: after.version, updated_at: ctx.now }).where(unchanged),
  ]);
  if (changes(results[5]) === 0) {
    // Another request answered it (or the day ended) in between: say what it is now.
    const now = await findQuote(ctx, organizationId, id);
    throw unanswerable(now, parisToday()) ?? new Conflict("The quote changed while it was being accepted; read it again.", "concurrent_update");
  }
  publishEvents(ctx, [invoiceEventId, quoteEventId]);
  return quote;
}
