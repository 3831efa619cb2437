/**
 * The quote (devis) state machine. A draft is edited freely; sending it numbers it (DEV-…) and
 * freezes it; the payer then accepts it (a draft invoice is made from it) or declines it, or its
 * `valid_until` passes and the sweep marks it expired. Accepted, declined and expired are final.
 */
export const QUOTE_STATUSES = ["draft", "sent", "accepted", "declined", "expired"] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export const QUOTE_TRANSITIONS: Record<QuoteStatus, readonly QuoteStatus[]> = {
  draft: ["sent"],
  sent: ["accepted", "declined", "expired"],
  accepted: [],
  declined: [],
  expired: [],
};

export function canTransitionQuote(from: QuoteStatus, to: QuoteStatus): boolean {
  return QUOTE_TRANSITIONS[from].includes(to);
}

/** Days a quote stays valid when sent without `valid_until`. */
export const DEFAULT_QUOTE_VALIDITY_DAYS = 30;

/**
 * Whether a sent quote can no longer be answered on `today` (Paris): its last valid day has
 * passed, whether or not the sweep has marked it yet.
 */
export function quoteLapsed(quote: { status: QuoteStatus; valid_until: string | null }, today: string): boolean {
  return quote.status === "expired" || (quote.status === "sent" && quote.valid_until !== null && quote.valid_until < today);
}
