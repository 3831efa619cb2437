import type { creditNotes, invoices } from "../../db/schema";
import { redactPayer, unsealPayer, type Payer } from "./payer";

export type InvoiceRow = typeof invoices.$inferSelect;
export type CreditNoteRow = typeof creditNotes.$inferSelect;

export function presentCreditNote(row: CreditNoteRow) {
  return {
    id: row.id,
    object: "credit_note" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    invoice_id: row.invoice_id,
    credit_note_number: row.credit_note_number,
    invoice_number: row.invoice_number,
    invoice_issue_date: row.invoice_issue_date,
    reason: row.reason,
    currency: row.currency,
    subtotal_amount: row.subtotal_amount,
    tax_amount: row.tax_amount,
    total_amount: row.total_amount,
    tax_breakdown: row.tax_breakdown,
    mentions: row.mentions,
    issued_at: row.issued_at,
    created_at: row.created_at,
  };
}

export function presentInvoiceWith(row: InvoiceRow, payer: Payer | ReturnType<typeof redactPayer>, creditNote?: CreditNoteRow | null) {
  return {
    id: row.id,
    object: "invoice" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    department_id: row.department_id,
    invoice_number: row.invoice_number,
    status: row.status,
    currency: row.currency,
    payer,
    line_items: row.line_items,
    subtotal_amount: row.subtotal_amount,
    tax_amount: row.tax_amount,
    total_amount: row.total_amount,
    tax_breakdown: row.tax_breakdown,
    amount_paid: row.amount_paid,
    amount_due: row.amount_due,
    due_date: row.due_date,
    payment_terms: row.payment_terms,
    vat_exemption_reason: row.vat_exemption_reason,
    mentions: row.mentions,
    credit_note: creditNote ? presentCreditNote(creditNote) : null,
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

export async function presentInvoice(key: string, row: InvoiceRow, creditNote?: CreditNoteRow | null) {
  return presentInvoiceWith(row, await unsealPayer(key, row.id, row.payer_encrypted), creditNote);
}

/** The invoice as the audit trail keeps it: payer redacted. */
export function auditedInvoice(invoice: PresentedInvoice) {
  return { ...invoice, payer: "email" in invoice.payer && "name" in invoice.payer ? redactPayer(invoice.payer as Payer) : invoice.payer };
}
