import type { DocumentBuyer, InvoiceDocument } from "../../documents/model";
import { frenchDate, type Mentions } from "../../domain/invoice-mentions";
import type { QuoteSeller } from "../../domain/quote-mentions";
import { lineWithUnit } from "../../domain/units";
import type { Payer } from "../invoices/payer";
import type { CreditNoteRow, InvoiceRow } from "../invoices/present";
import type { OrganizationRow } from "../organizations/present";

/**
 * Documents are rendered from frozen data only — the invoice row as issued, its mentions, the payee
 * account sealed at issue, the payer (immutable once issued) — so that regenerating one after a
 * crash gives the same bytes as the archived one (same SHA-256).
 */

export interface Payee {
  iban: string;
  bic: string | null;
  account_name: string | null;
}

const EARLY_PAYMENT_DEFAULT = "Pas d'escompte pour paiement anticipé";

/**
 * The seller as printed, taken from the organization as it is now: what an invoice's mentions
 * freeze at issue, what a quote freezes when sent, and what a draft's preview shows. A public
 * body prints the régie (department) under its own name.
 */
export function sellerFromOrganization(org: OrganizationRow, departmentName: string | null): QuoteSeller {
  return {
    name: org.name,
    siret: org.siret,
    siren: org.siren,
    vat_number: org.vat_number,
    address: org.address ?? null,
    public_entity_unit: org.type === "public_entity" ? departmentName : null,
    email: org.branding?.support_email ?? org.contact?.email ?? null,
    primary_color: org.branding?.primary_color ?? null,
  };
}

/** The seller as an invoice's frozen mentions print it (on the invoice, its credit notes and receipts). */
export function sellerFromMentions(m: Mentions): InvoiceDocument["seller"] {
  return {
    name: m.seller.name,
    siret: m.seller.siret,
    siren: m.seller.siren,
    vat_number: m.seller.vat_number,
    address: m.seller.address,
    public_entity_unit: m.seller_unit ?? null,
    email: m.seller_email ?? null,
    primary_color: m.primary_color ?? null,
  };
}

/** The payer as a document (invoice, credit note, quote) prints it. */
export function documentBuyer(payer: Payer, isBusiness: boolean): DocumentBuyer {
  return {
    name: payer.name,
    address: payer.address ?? null,
    siren: payer.siren ?? null,
    vat_number: payer.vat_number ?? null,
    email: payer.email,
    is_business: isBusiness,
  };
}

/**
 * An invoice (380) or deposit invoice (386) as issued: `number` null renders the draft preview.
 * Nothing is paid yet at issue, so the document shows the deposits deducted and the amount due
 * then; later payments appear on receipts, never on a rewritten invoice.
 */
export function invoiceModel(input: {
  row: InvoiceRow;
  number: string | null;
  mentions: Mentions;
  payer: Payer;
  payee: Payee | null;
  paymentUrl: string | null;
  quoteNumber?: string | null;
}): InvoiceDocument {
  const { row, mentions: m } = input;
  return {
    type: row.type === "deposit" ? "deposit_invoice" : "invoice",
    number: input.number,
    issue_date: m.issue_date,
    currency: "EUR",
    seller: sellerFromMentions(m),
    buyer: documentBuyer(input.payer, m.buyer_is_business),
    lines: row.line_items.map(lineWithUnit),
    tax_breakdown: row.tax_breakdown,
    totals: { total_excl_tax: row.subtotal_amount, total_tax: row.tax_amount, total_incl_tax: row.total_amount },
    deducted_deposits: (row.deducted_deposits ?? []).map((d) => ({ number: d.invoice_number, issue_date: d.issue_date, amount: d.amount })),
    amount_paid: 0,
    amount_due: row.total_amount - row.deposits_amount,
    service_date: row.service_period ? null : (row.service_date ?? m.issue_date),
    service_period: row.service_period ?? null,
    operation_category: row.operation_category,
    vat_on_debits: m.vat_on_debits ?? false,
    due_date: m.due_date,
    payment_terms: m.payment_terms,
    early_payment_discount: m.early_payment_discount ?? EARLY_PAYMENT_DEFAULT,
    late_payment_penalty: m.late_payment_penalty,
    recovery_indemnity: m.recovery_indemnity?.text ?? null,
    vat_exemption: m.vat_exemption,
    payee: input.payee,
    payment_url: input.paymentUrl,
    quote_number: input.quoteNumber ?? null,
  };
}

/**
 * A credit note (381) citing the invoice it credits (BT-25/26), for its whole amount; how it is
 * settled (offsetting the unpaid invoice, or the refund that went with the price reduction) is
 * said in its terms.
 */
export function creditNoteModel(input: { note: CreditNoteRow; invoice: InvoiceRow; payer: Payer }): InvoiceDocument {
  const { note, invoice } = input;
  const invoiceMentions = invoice.mentions as unknown as Mentions;
  const noteMentions = note.mentions as { issue_date?: string; seller?: Mentions["seller"] };
  const m: Mentions = { ...invoiceMentions, seller: noteMentions.seller ?? invoiceMentions.seller };
  const settled =
    note.type === "price_reduction"
      ? "Réduction de prix remboursée au client par le moyen de paiement utilisé."
      : `Annule la facture n° ${note.invoice_number} du ${frenchDate(note.invoice_issue_date)} : rien n'est dû au titre de cette facture.`;
  return {
    type: "credit_note",
    number: note.credit_note_number,
    issue_date: noteMentions.issue_date ?? note.issued_at.slice(0, 10),
    currency: "EUR",
    seller: sellerFromMentions(m),
    buyer: documentBuyer(input.payer, m.buyer_is_business),
    lines: (note.line_items ?? invoice.line_items).map(lineWithUnit),
    tax_breakdown: note.tax_breakdown,
    totals: { total_excl_tax: note.subtotal_amount, total_tax: note.tax_amount, total_incl_tax: note.total_amount },
    // EN 16931: a credit note's amount due (BT-115) is what it credits the buyer with.
    amount_paid: 0,
    amount_due: note.total_amount,
    service_date: invoice.service_period ? null : (invoice.service_date ?? invoiceMentions.issue_date),
    service_period: invoice.service_period ?? null,
    operation_category: invoice.operation_category,
    vat_on_debits: m.vat_on_debits ?? false,
    vat_exemption: m.vat_exemption,
    credited_invoice: { number: note.invoice_number, issue_date: note.invoice_issue_date },
    credit_reason: note.reason,
    payment_terms: settled,
  };
}
