import { sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { invoices, quotes } from "../../db/schema";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { draftInvoiceRow } from "../invoices/drafts";
import { sealPayer } from "../invoices/payer";
import { auditedInvoice, presentInvoiceWith } from "../invoices/present";
import { answerLost, quoteToAnswer, stillUnanswered } from "./answer";
import { presentQuoteWith, type QuoteRow } from "./present";
import type { OrganizationScope } from "../tenancy";

/**
 * sent → accepted, and the draft invoice it becomes, in one batch: the invoice (the quote's
 * department, payer re-sealed for the invoice, lines, amounts, terms and exemption, `quote_id`)
 * with its audit entry and `invoice.created`, and the quote's change with its audit entry and
 * `quote.status_changed`, all guarded on the quote still being the sent, unexpired version
 * read: a second accept (or a concurrent one) writes nothing and gets 409.
 */
export async function acceptQuote({ ctx, organizationId: scope, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  const { before, payer, today } = await quoteToAnswer(ctx, scope, id);
  // The quote's own organization (X-Entity-Id is optional here): the new invoice's, and what the batch writes.
  const organizationId = before.organization_id;
  const invoiceId = newId("invoice");
  // No due date: due 30 days after issue unless the partner sets one on the draft (as for any draft).
  const invoiceRow = draftInvoiceRow(ctx, organizationId, {
    id: invoiceId,
    department_id: before.department_id,
    currency: before.currency,
    payer_encrypted: await sealPayer(ctx.env.ENCRYPTION_KEY, invoiceId, payer),
    payer_email_hash: before.payer_email_hash,
    line_items: before.line_items,
    subtotal_amount: before.subtotal_amount,
    tax_amount: before.tax_amount,
    total_amount: before.total_amount,
    tax_breakdown: before.tax_breakdown,
    quote_id: id,
    payment_terms: before.payment_terms,
    vat_exemption_reason: before.vat_exemption_reason,
  });
  const after: QuoteRow = { ...before, status: "accepted", invoice_id: invoiceId, accepted_at: ctx.now, version: before.version + 1, updated_at: ctx.now };
  const invoice = presentInvoiceWith(invoiceRow, payer);
  const quote = presentQuoteWith(after, payer);

  const unchanged = stillUnanswered(ctx, organizationId, before, today);
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
  if (changes(results[5]) === 0) await answerLost(ctx, organizationId, id, "accepted");
  publishEvents(ctx, [invoiceEventId, quoteEventId]);
  return quote;
}
