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
