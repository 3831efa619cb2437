import type { PaymentMethod, ProviderStep } from "../domain/payment-intent";
import type { RefundOutcome, RefundPendingReason } from "../domain/refund";

/** The provider's answer is steps the intent's object applies (the type is the domain's). */
export type { ProviderStep };

/**
 * A payment provider: where the payer is sent to authorize, and what the provider then says.
 * Sandbox providers answer from documented test data; a live provider (Aiia's payment
 * initiation, a card acquirer) calls its API in `start` and reports through its callback route.
 */
export interface ProviderStart {
  /** Where to send the payer: a consent screen or a card form (a path for our own screens). */
  redirectUrl: string;
  /** The provider's id for this attempt. */
  reference: string;
}

export interface StartInput {
  intentId: string;
  token: string;
  amount: number;
  currency: string;
  baseUrl: string;
}

/**
 * What becomes of a new refund, decided inside the intent's storage transaction (so no I/O):
 * - `settles_after`: the sandbox's transfer back, settled by the intent's alarm after `afterMs`
 *   (test mode only: the object never fires it on a live intent);
 * - `held`: nothing can move the money; the refund stays pending with `pending_reason`.
 * A live provider would submit the transfer from the alarm and settle on its callback (its own
 * variant, added with it), never on a timer.
 */
export type RefundSettlement =
  | { kind: "settles_after"; afterMs: number; outcome: RefundOutcome }
  | { kind: "held"; pendingReason: RefundPendingReason };

export interface RefundInput {
  refundId: string;
  amount: number;
  currency: string;
}

export interface PaymentProvider {
  readonly id: string;
  readonly method: PaymentMethod;
  readonly live: boolean;
  start(input: StartInput): Promise<ProviderStart>;
  /** Sends a refund's money back to the payer, through the provider that took the payment. */
  refund(input: RefundInput): RefundSettlement;
}
