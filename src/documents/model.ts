// The plain models that documents are rendered from (issue 12). Both renderers read them — the CII
// XML (cii.ts) and the PDF (pdf/) — so the two can never disagree on a figure. Services build them
// from the frozen rows (invoice mentions, credit notes, quotes, payments); nothing here does I/O.
// No relative imports, enums or namespaces: test/documents/ loads these files with Node's type
// stripping.
// Amounts are integer cents; dates are YYYY-MM-DD (Europe/Paris); rates are percents (5.5).

export type DocumentAddress = {
  line1: string;
  line2?: string | null;
  postal_code: string;
  city: string;
  /** ISO 3166-1 alpha-2, default FR. */
  country?: string | null;
};

export type DocumentSeller = {
  name: string;
  /** SIRET, 14 digits (the SIREN is its first 9, printed with scheme 0002 in the CII). */
  siret: string;
  siren: string;
  /** Intra-community VAT number; null when the seller has none (then `vat_exemption` says why). */
  vat_number: string | null;
  address: DocumentAddress | null;
  /** Public-entity sellers print their régie/department name under their own. */
  public_entity_unit?: string | null;
  email?: string | null;
  /** Branding for the PDF: a #RRGGBB colour (accessible contrast is the renderer's job). */
  primary_color?: string | null;
};

export type DocumentBuyer = {
  name: string;
  address: DocumentAddress | null;
  /** A business payer's SIREN (new mention of the reform, BT-47 scheme 0002). */
  siren?: string | null;
  vat_number?: string | null;
  email?: string | null;
  is_business: boolean;
};

export type DocumentLine = {
  description: string;
  quantity: number;
  /** UN/ECE Rec. 20 code; C62 ("one") when absent. */
  unit?: string | null;
  /** Unit price excluding VAT, in cents. */
  unit_price: number;
  /** Percent; 0 means exempt (category E, needs `vat_exemption`). */
  vat_rate: number;
  /** round(quantity × unit_price), in cents, as the API stored it. */
  net_amount: number;
};

export type DocumentVatBreakdown = { vat_rate: number; taxable_amount: number; tax_amount: number };

export type DocumentTotals = { total_excl_tax: number; total_tax: number; total_incl_tax: number };

/** A document cited by this one: the credited invoice (BT-25/26) or a deducted deposit invoice. */
export type PrecedingDocument = { number: string; issue_date: string; /** TTC, cents */ amount?: number | null };

/**
 * An invoice (380), a deposit invoice (386) or a credit note (381); `number: null` renders the draft
 * preview ("Brouillon — ne vaut pas facture", no Factur-X).
 */
export type InvoiceDocument = {
  type: "invoice" | "deposit_invoice" | "credit_note";
  number: string | null;
  issue_date: string;
  currency: "EUR";
  seller: DocumentSeller;
  buyer: DocumentBuyer;
  lines: DocumentLine[];
  tax_breakdown: DocumentVatBreakdown[];
  totals: DocumentTotals;
  /** Deposit invoices deducted by this final invoice (shown as prepaid, BT-113, and cited). */
  deducted_deposits?: PrecedingDocument[];
  /** Other money already received when the document was made, in cents (payments; usually 0 at issue). */
  amount_paid?: number;
  /** totals.total_incl_tax − deposits − amount_paid (BT-115). */
  amount_due: number;
  /** Date of supply (BT-72) or the service period (BG-14); default the issue date. */
  service_date?: string | null;
  service_period?: { start: string; end: string } | null;
  operation_category: "goods" | "services" | "mixed";
  /** "Option pour le paiement de la taxe d'après les débits". */
  vat_on_debits: boolean;
  due_date?: string | null;
  payment_terms?: string | null;
  early_payment_discount?: string | null;
  /** B2B only (L441-10). */
  late_payment_penalty?: string | null;
  recovery_indemnity?: string | null;
  /** The exemption mention when a line is at 0 % or the seller has no VAT number. */
  vat_exemption?: string | null;
  /** The payee account (means code 58, SEPA credit transfer), printed in full. */
  payee?: { iban: string; bic?: string | null; account_name?: string | null } | null;
  /** A URL where the payer pays this invoice (printed with a QR code). */
  payment_url?: string | null;
  /** A credit note: the invoice it credits (BT-25/26) and why. */
  credited_invoice?: PrecedingDocument | null;
  credit_reason?: string | null;
  /** The quote this invoice comes from, printed as a reference. */
  quote_number?: string | null;
  /** Free notes printed and carried as CII IncludedNote. */
  notes?: string[];
};

/** A quote (devis): a plain PDF/A, not an invoice, no Factur-X. */
export type QuoteDocument = {
  number: string | null;
  issue_date: string;
  valid_until: string;
  currency: "EUR";
  seller: DocumentSeller;
  buyer: DocumentBuyer;
  lines: DocumentLine[];
  tax_breakdown: DocumentVatBreakdown[];
  totals: DocumentTotals;
  vat_exemption?: string | null;
  payment_terms?: string | null;
  notes?: string[];
};

/** A payment receipt (reçu, "ticket de paiement"). */
export type ReceiptDocument = {
  number: string;
  /** ISO instant of the payment; printed in Europe/Paris. */
  paid_at: string;
  /** EUR, or a payment request's USD/GBP. */
  currency: "EUR" | "USD" | "GBP";
  /** What was received: for a captured card hold, the captured amount. */
  amount: number;
  refunded_amount: number;
  /** A captured card hold: what the card had been authorized for (printed when more than was captured). */
  authorized_amount?: number | null;
  method: "sepa_credit" | "card" | "cash" | "cheque" | "bank_transfer" | "other";
  seller: DocumentSeller;
  payer: { name: string; email?: string | null };
  /** What it pays: the invoice number and its total, or a payment request's description (no invoice). */
  pays: { kind: "invoice"; number: string; total_incl_tax: number; amount_due_after: number } | { kind: "request"; description: string };
  /** Provider reference (transfer end-to-end id, card authorisation), if any. */
  reference?: string | null;
};

/**
 * A department's monthly remittance statement ("bordereau de versement", issue 14): what a
 * régisseur signs and sends to the comptable public. Amounts in cents of `currency`; dates are
 * Paris calendar dates (`YYYY-MM-DD`), instants ISO UTC.
 */
export type RemittanceDocument = {
  organization: { name: string; siret: string; address: DocumentAddress | null; primary_color?: string | null };
  department: { name: string; code: string };
  /** The department's default bank account, masked (`FR76 **** … 0185`); null when it has none. */
  bank_account: { iban_masked: string; bank_name: string | null } | null;
  period: { month: string; from: string; to: string };
  currency: "EUR" | "USD" | "GBP";
  days: { date: string; method: ReceiptDocument["method"]; collected_count: number; collected: number; refunded_count: number; refunded: number }[];
  payments: { receipt_number: string; invoice_number: string | null; payer_initials: string; amount: number; method: ReceiptDocument["method"]; reference: string | null; date: string }[];
  refunds: { receipt_number: string; amount: number; method: ReceiptDocument["method"]; date: string }[];
  /** Voided payments of the month, listed apart and never counted. */
  voided_payments: { receipt_number: string; invoice_number: string | null; payer_initials: string; amount: number; method: ReceiptDocument["method"]; reference: string | null; date: string }[];
  totals: {
    collected: number;
    refunded: number;
    net: number;
    by_method: { method: ReceiptDocument["method"]; collected_count: number; collected: number; refunded_count: number; refunded: number; net: number }[];
  };
};

/** Determinism: the same input and options always give byte-identical PDFs (the archive stores a hash). */
export type RenderOptions = {
  /** ISO instant written as the PDF's CreationDate/ModDate and the XMP dates. */
  created_at: string;
  /** Stable identifier written as the PDF trailer /ID and the XMP DocumentID (e.g. the resource id). */
  document_id: string;
  locale?: "fr" | "en";
};
