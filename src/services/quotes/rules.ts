import { canTransitionQuote, quoteLapsed } from "../../domain/quote-status";
import { Conflict, ValidationError } from "../../lib/errors";
import type { QuoteRow } from "./present";

/** A quote cannot be offered until a day already gone (Paris): refused in both modes, nothing to grandfather. */
export function requireFutureValidity(validUntil: string | null | undefined, today: string): void {
  if (validUntil && validUntil < today) {
    throw new ValidationError(`valid_until ${validUntil} is before today (${today}, Europe/Paris).`, "valid_until", "valid_until_in_past");
  }
}

/** Why a quote cannot be answered (accepted or declined) today, as the 409 the caller gets; null if it can. */
export function unanswerable(quote: QuoteRow, today: string): Conflict | null {
  const number = quote.quote_number ?? quote.id;
  if (quoteLapsed(quote, today)) return new Conflict(`Quote ${number} expired: it was valid until ${quote.valid_until}.`, "quote_expired");
  if (quote.status === "accepted") return new Conflict(`Quote ${number} is already accepted (invoice ${quote.invoice_id}).`, "quote_already_accepted");
  if (quote.status === "declined") return new Conflict(`Quote ${number} is already declined.`, "quote_already_declined");
  // Answers (accepted, declined) are transitions of a sent quote only.
  if (!canTransitionQuote(quote.status, "accepted")) return new Conflict(`Quote ${number} is a ${quote.status}: send it before it can be answered.`, "quote_not_sent");
  return null;
}
