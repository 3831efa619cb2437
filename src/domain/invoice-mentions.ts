/**
 * The mandatory mentions of a French invoice (Code de commerce L441-9, CGI ann. II 242 nonies A),
 * frozen at issue so the document renders later without reading mutable data.
 */
export interface SellerSnapshot {
  name: string;
  siret: string;
  siren: string;
  vat_number: string | null;
  address: { line1: string; line2?: string | undefined; postal_code: string; city: string; country: string } | null;
}

export interface Mentions {
  document_type: "Facture" | "Avoir";
  /** UNTDID 1001: 380 commercial invoice, 381 credit note. */
  type_code: 380 | 381;
  issue_date: string;
  seller: SellerSnapshot;
  buyer_is_business: boolean;
  due_date: string;
  payment_terms: string;
  early_payment_discount: string;
  /** B2B only (L441-10): ECB refinancing rate + 10 points, and the fixed €40 indemnity. */
  late_payment_penalty: string | null;
  recovery_indemnity: { amount: number; currency: "EUR"; text: string } | null;
  vat_exemption: string | null;
  /** A public-entity seller's régie or department, printed under its name (absent before issue 12). */
  seller_unit?: string | null;
  /** "Option pour le paiement de la taxe d'après les débits" (absent before issue 12 = false). */
  vat_on_debits?: boolean;
  /** The organization's support email and accent colour, as printed. */
  seller_email?: string | null;
  primary_color?: string | null;
  /** The quote the invoice comes from, cited on it. */
  quote_number?: string | null;
}

export const VAT_ON_DEBITS_MENTION = "Option pour le paiement de la taxe d'après les débits";

export const RECOVERY_INDEMNITY_CENTS = 4000;

export function invoiceMentions(input: {
  issueDate: string;
  dueDate: string;
  seller: SellerSnapshot;
  buyerIsBusiness: boolean;
  paymentTerms: string | null;
  vatExemptionReason: string | null;
  sellerUnit?: string | null;
  vatOnDebits?: boolean;
  sellerEmail?: string | null;
  primaryColor?: string | null;
  quoteNumber?: string | null;
}): Mentions {
  return {
    document_type: "Facture",
    type_code: 380,
    issue_date: input.issueDate,
    seller: input.seller,
    buyer_is_business: input.buyerIsBusiness,
    due_date: input.dueDate,
    payment_terms: input.paymentTerms ?? `Paiement à réception, au plus tard le ${frenchDate(input.dueDate)}`,
    early_payment_discount: "Pas d'escompte pour paiement anticipé",
    late_payment_penalty: input.buyerIsBusiness
      ? "En cas de retard de paiement, pénalités au taux de refinancement de la BCE majoré de 10 points (art. L441-10 du Code de commerce)"
      : null,
    recovery_indemnity: input.buyerIsBusiness
      ? {
          amount: RECOVERY_INDEMNITY_CENTS,
          currency: "EUR",
          text: "Indemnité forfaitaire pour frais de recouvrement : 40 € (art. D441-5 du Code de commerce)",
        }
      : null,
    vat_exemption: input.vatExemptionReason,
    seller_unit: input.sellerUnit ?? null,
    vat_on_debits: input.vatOnDebits ?? false,
    seller_email: input.sellerEmail ?? null,
    primary_color: input.primaryColor ?? null,
    quote_number: input.quoteNumber ?? null,
  };
}

export function frenchDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}
