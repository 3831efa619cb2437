/**
 * Data-subject rights (GDPR art. 15 and 17): which of a payer's rows an erasure may touch, and
 * which it keeps because the law requires them (Code de commerce L123-22: accounting documents and
 * their supporting records, 10 years).
 */

/** Invoices without a number were never issued: no accounting obligation, the payer is anonymized. */
export const ERASABLE_INVOICE_STATUSES = ["draft"] as const;

/** Quotes that did not become a contract; an accepted quote is the basis of an invoice and is kept. */
export const ERASABLE_QUOTE_STATUSES = ["draft", "sent", "declined", "expired"] as const;

/** Links and requests that can no longer take money; an active one must be revoked first, a completed one is a payment record. */
export const ERASABLE_LINK_STATUSES = ["revoked", "expired"] as const;

/** Rows of one kind an erasure touches in one request (one D1 batch); the answer says when more remain. */
export const ERASURE_LIMIT = 100;

/** Rows of one kind an export lists. */
export const EXPORT_LIMIT = 500;

/** What replaces the payer of an anonymized draft or quote: readers keep working, nothing identifies anyone. */
export const ANONYMIZED_PAYER = { name: "Payeur effacé", email: "erased@erased.invalid" } as const;

/** What replaces a payer hash (the columns are NOT NULL): never the output of a keyed hash, so it matches no lookup. */
export const ERASED_HASH = "erased";

/** What an erased message's recipient and content read as. */
export const ERASED_MARKER = "[erased]";

/** Why each kind of row is kept, as the erasure answer says. */
export const KEPT_REASONS = {
  invoice: "Issued invoice: accounting document kept 10 years (Code de commerce L123-22, CGI art. L102 B); processing restricted to that obligation.",
  credit_note: "Credit note: accounting document kept 10 years (Code de commerce L123-22); processing restricted to that obligation.",
  payment: "Ledger entry: accounting record kept 10 years (Code de commerce L123-22); processing restricted to that obligation.",
  quote: "Accepted quote: the contract behind an invoice, kept with it.",
  payment_link: "Completed link or request: the record of a payment, kept with the ledger.",
  active_payment_link: "Active link or request: revoke it first, then erase again.",
} as const;
