/**
 * A payment link: open (`active`) until its payment succeeds (`completed`), its time runs out
 * (`expired`) or the partner revokes it (`revoked`); each of those is final.
 */
export const PAYMENT_LINK_STATUSES = ["active", "completed", "expired", "revoked"] as const;
export type PaymentLinkStatus = (typeof PAYMENT_LINK_STATUSES)[number];

export const PAYMENT_LINK_TRANSITIONS = {
  active: ["completed", "expired", "revoked"],
  completed: [],
  expired: [],
  revoked: [],
} as const satisfies Record<PaymentLinkStatus, readonly PaymentLinkStatus[]>;

/** Where an active link can go: what a transition of its payment intent may do to it. */
export type PaymentLinkClosure = (typeof PAYMENT_LINK_TRANSITIONS.active)[number];

/** `standard`: the payment is taken; `preauth`: a card hold (seed 003 "caution"), captured later. */
export const PAYMENT_LINK_TYPES = ["standard", "preauth"] as const;
export type PaymentLinkType = (typeof PAYMENT_LINK_TYPES)[number];

/** The hosted page's layout: `short` is seed 003's simplified page. */
export const PAYMENT_PAGE_STYLES = ["standard", "short"] as const;
export type PaymentPageStyle = (typeof PAYMENT_PAGE_STYLES)[number];

/** Currencies a link can ask for (seed 003); a SEPA transfer is in euros only. */
export const PAYMENT_CURRENCIES = ["EUR", "USD", "GBP"] as const;
export type PaymentCurrency = (typeof PAYMENT_CURRENCIES)[number];
