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
}

export const RECOVERY_INDEMNITY_CENTS = 4000;

export function invoiceMentions(input: {
  issueDate: string;
  dueDate: string;
  seller: SellerSnapshot;
  buyerIsBusiness: boolean;
  paymentTerms: string | null;
  vatExemptionReason: string | null;
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
  };
}

export function frenchDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}
