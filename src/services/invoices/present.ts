import type { creditNotes, invoices, StoredLine } from "../../db/schema";
import { presentCreditNote as presentCreditNoteView } from "../../domain/credit-note";
import { lineWithUnit } from "../../domain/units";
import { redactPayer, unsealPayer, type Payer } from "./payer";

export type InvoiceRow = typeof invoices.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;

/** A credit note as the API shows it; a cancellation's lines are its invoice's (`invoiceLines`). */
export function presentCreditNote(row: CreditNoteRow, invoiceLines: readonly StoredLine[]) {
  return presentCreditNoteView({ ...row, line_items: row.line_items ?? invoiceLines });
}

/** What the invoice object lists of each of its credit notes. */
export type CreditNoteSummary = Pick<CreditNoteRow, "id" | "credit_note_number" | "type" | "refund_id" | "total_amount" | "issued_at">;

function summary(n: CreditNoteSummary) {
  return { id: n.id, credit_note_number: n.credit_note_number, type: n.type, refund_id: n.refund_id, total_amount: n.total_amount, issued_at: n.issued_at };
}

/**
 * `creditNote`: the cancellation's credit note, in full; `creditNotes`: every credit note of the
 * invoice (none where the caller has not read them: a draft, an invoice just made or issued).
 */
export function presentInvoiceWith(
  row: InvoiceRow,
  payer: Payer | ReturnType<typeof redactPayer>,
  creditNote?: CreditNoteRow | null,
  creditNotes: readonly CreditNoteSummary[] = creditNote ? [creditNote] : [],
) {
  return {
    id: row.id,
    object: "invoice" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    department_id: row.department_id,
    invoice_number: row.invoice_number,
    status: row.status,
    type: row.type,
    currency: row.currency,
    payer,
    line_items: row.line_items.map(lineWithUnit),
    subtotal_amount: row.subtotal_amount,
    tax_amount: row.tax_amount,
    total_amount: row.total_amount,
    tax_breakdown: row.tax_breakdown,
    deducted_deposits: row.deducted_deposits ?? [],
    deposits_amount: row.deposits_amount,
    credited_amount: row.credited_amount,
    amount_paid: row.amount_paid,
    amount_due: row.amount_due,
    due_date: row.due_date,
    dunning_paused: row.dunning_paused,
    payment_terms: row.payment_terms,
    vat_exemption_reason: row.vat_exemption_reason,
    service_date: row.service_date,
    service_period: row.service_period,
    operation_category: row.operation_category,
    quote_id: row.quote_id,
    mentions: row.mentions,
    credit_note: creditNote ? presentCreditNote(creditNote, row.line_items) : null,
    credit_notes: creditNotes.map(summary),
    document: presentInvoiceDocument(row),
    issued_at: row.issued_at,
    paid_at: row.paid_at,
    cancelled_at: row.cancelled_at,
    metadata: row.metadata,
    warnings: row.warnings,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type PresentedInvoice = ReturnType<typeof presentInvoiceWith>;

/**
 * Where an issued invoice's documents are (paths on this API, same credentials) and the SHA-256 of
 * the archived PDF; null on a draft (GET …/pdf then renders an unnumbered preview) and on a draft
 * cancelled before issue (it never had a document). `sha256` is null
 * only for invoices issued before documents existed, until their first download archives them.
 */
export function presentInvoiceDocument(row: Pick<InvoiceRow, "id" | "status" | "issued_at" | "document_sha256" | "xml_sha256" | "document_generated_at">) {
  if (row.status === "draft" || !row.issued_at) return null;
  return {
    pdf_url: `/v1/invoices/${row.id}/pdf`,
    xml_url: `/v1/invoices/${row.id}/xml`,
    sha256: row.document_sha256,
    xml_sha256: row.xml_sha256,
    generated_at: row.document_generated_at,
  };
}

export async function presentInvoice(key: string, row: InvoiceRow, creditNote?: CreditNoteRow | null, creditNotes?: readonly CreditNoteSummary[]) {
  return presentInvoiceWith(row, await unsealPayer(key, row.id, row.payer_encrypted), creditNote, creditNotes);
}

/** The invoice as the audit trail keeps it: payer redacted. */
export function auditedInvoice(invoice: PresentedInvoice) {
  return { ...invoice, payer: "email" in invoice.payer && "name" in invoice.payer ? redactPayer(invoice.payer as Payer) : invoice.payer };
}
