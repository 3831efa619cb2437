import type { SellerSnapshot } from "./invoice-mentions";

/**
 * What a sent quote prints, frozen when it is sent (as an invoice's mentions are at issue), so
 * its PDF renders the same later whatever the organization edits: who offers, to whom, until when.
 */
export interface QuoteSeller extends SellerSnapshot {
  /** A public body prints the régie (department) that makes the offer under its own name. */
  public_entity_unit: string | null;
  /** The organization's support email and accent colour, as printed (as on its invoices). */
  email: string | null;
  primary_color: string | null;
}

export interface QuoteMentions {
  document_type: "Devis";
  issue_date: string;
  valid_until: string;
  seller: QuoteSeller;
  buyer_is_business: boolean;
  payment_terms: string | null;
  vat_exemption: string | null;
}

export function quoteMentions(input: {
  issueDate: string;
  validUntil: string;
  seller: QuoteSeller;
  buyerIsBusiness: boolean;
  paymentTerms: string | null;
  vatExemptionReason: string | null;
}): QuoteMentions {
  return {
    document_type: "Devis",
    issue_date: input.issueDate,
    valid_until: input.validUntil,
    seller: input.seller,
    buyer_is_business: input.buyerIsBusiness,
    payment_terms: input.paymentTerms,
    vat_exemption: input.vatExemptionReason,
  };
}
