import { BusinessRule } from "../lib/errors";
import { PAYMENT_METHODS } from "./payment-intent";

/**
 * A ledger payment. Online (a payment intent's): `pending` while its transfer is initiated and
 * not settled or its card hold is not captured, then `completed` (money received), `failed`, or
 * `canceled` (a hold released); then `partially_refunded` and `refunded` as refunds succeed.
 * Offline (recorded at the counter, issue 14): `completed`, or `voided` when recorded by mistake.
 */
export const PAYMENT_STATUSES = ["pending", "completed", "failed", "canceled", "partially_refunded", "refunded", "voided"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What a payment intent's transition makes of its ledger entry (before refunds). */
export type LedgerEntryStatus = Extract<PaymentStatus, "pending" | "completed" | "failed" | "canceled">;

/** Money received: what amount_paid, statistics, balances and exports count. A refunded payment was received (its refunds are counted apart). */
export const COLLECTED_PAYMENT_STATUSES = ["completed", "partially_refunded", "refunded"] as const satisfies readonly PaymentStatus[];

/** Payments taken outside the platform and recorded (a régie's counter, a cheque, a transfer seen on the account). */
export const OFFLINE_PAYMENT_METHODS = ["cash", "cheque", "bank_transfer", "other"] as const;
export type OfflinePaymentMethod = (typeof OFFLINE_PAYMENT_METHODS)[number];

/** Every method a ledger payment can have: online (a payment intent's) or offline. */
export const LEDGER_PAYMENT_METHODS = [...PAYMENT_METHODS, ...OFFLINE_PAYMENT_METHODS] as const;
export type LedgerPaymentMethod = (typeof LEDGER_PAYMENT_METHODS)[number];

/** `online`: paid through a payment link; `offline`: recorded by the seller. */
export function paymentSource(method: LedgerPaymentMethod): "online" | "offline" {
  return (OFFLINE_PAYMENT_METHODS as readonly string[]).includes(method) ? "offline" : "online";
}

/**
 * The refusal of a new payment (a link, a counter payment) on an invoice with nothing left to pay:
 * "nothing" is not an amount too high, so it says what the invoice is in and what would free some.
 */
export function nothingLeftToPay(invoice: { invoice_number: string | null; amount_due: number }, invoiceId: string, remedy: string, param: string): BusinessRule {
  const name = `Invoice ${invoice.invoice_number ?? invoiceId}`;
  return new BusinessRule(
    invoice.amount_due === 0
      ? `${name} has nothing left to pay.`
      : `${name} has nothing left to pay: all of its amount due (${invoice.amount_due} cents) is already in active payment links or card holds not yet captured. ${remedy}`,
    "nothing_left_to_pay",
    param,
  );
}
