/**
 * A ledger payment (money received on an invoice): `completed`, then `partially_refunded` and
 * `refunded` as its intent's refunds succeed.
 */
export const PAYMENT_STATUSES = ["completed", "partially_refunded", "refunded"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
