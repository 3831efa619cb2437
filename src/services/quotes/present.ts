import type { quotes } from "../../db/schema";
import { redactPayer, type Payer } from "../invoices/payer";
import { unsealQuotePayer } from "./payer";

export type QuoteRow = typeof quotes.$inferSelect;

export function presentQuoteWith(row: QuoteRow, payer: Payer | ReturnType<typeof redactPayer>) {
  return {
    id: row.id,
    object: "quote" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    department_id: row.department_id,
    status: row.status,
    quote_number: row.quote_number,
    currency: row.currency,
    payer,
    line_items: row.line_items,
    subtotal_amount: row.subtotal_amount,
    tax_amount: row.tax_amount,
    total_amount: row.total_amount,
    tax_breakdown: row.tax_breakdown,
    valid_until: row.valid_until,
    payment_terms: row.payment_terms,
    vat_exemption_reason: row.vat_exemption_reason,
    mentions: row.mentions,
    invoice_id: row.invoice_id,
    decline_reason: row.decline_reason,
    // A path on this API, same credentials, as an invoice's document.pdf_url; rendered on each call (a quote is not archived).
    pdf_url: `/v1/quotes/${row.id}/pdf`,
    metadata: row.metadata,
    sent_at: row.sent_at,
    accepted_at: row.accepted_at,
    declined_at: row.declined_at,
    expired_at: row.expired_at,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type PresentedQuote = ReturnType<typeof presentQuoteWith>;

export async function presentQuote(key: string, row: QuoteRow) {
  return presentQuoteWith(row, await unsealQuotePayer(key, row.id, row.payer_encrypted));
}

/** The quote as the audit trail keeps it: payer redacted. */
export function auditedQuote(quote: PresentedQuote) {
  return { ...quote, payer: "email" in quote.payer && "name" in quote.payer ? redactPayer(quote.payer as Payer) : quote.payer };
}
