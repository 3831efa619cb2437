import type { AiiaStatus, IntentStatus, PaymentMethod } from "../domain/payment-intent";

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

/** A status step the provider reports now, or will report later (sandbox settlement). */
export interface ProviderStep {
  /** Milliseconds from now; 0 is immediate. */
  afterMs: number;
  aiiaStatus?: AiiaStatus;
  providerStatus: string;
  /** The intent status this step leads to (processing while the transfer is on its way). */
  intentStatus: Extract<IntentStatus, "processing" | "succeeded" | "failed">;
  failureCode?: string;
  failureMessage?: string;
  transactionId?: string;
}

export interface StartInput {
  intentId: string;
  token: string;
  amount: number;
  currency: string;
  baseUrl: string;
}

export interface PaymentProvider {
  readonly id: string;
  readonly method: PaymentMethod;
  readonly live: boolean;
  start(input: StartInput): Promise<ProviderStart>;
}
