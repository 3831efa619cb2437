import type { AuthThrottle } from "./durable/auth-throttle";
import type { PartnerGate } from "./durable/partner-gate";
import type { PaymentIntent } from "./durable/payment-intent";
import type { Db } from "./db/client";
import type { StorageTimer } from "./lib/timing";
import type { Principal } from "./lib/principal";

/** Bindings declared in wrangler.toml plus the secrets of `.dev.vars` (or `wrangler secret`). */
export interface Env {
  DB: D1Database;
  PAYMENT_INTENT: DurableObjectNamespace<PaymentIntent>;
  PARTNER_GATE: DurableObjectNamespace<PartnerGate>;
  AUTH_THROTTLE: DurableObjectNamespace<AuthThrottle>;
  WEBHOOKS: Queue<WebhookMessage>;
  ASSETS: Fetcher;
  ADMIN_API_KEY: string;
  JWT_SECRET: string;
  /** 32 bytes, base64: AES-256-GCM key for IBANs and payer personal data. */
  ENCRYPTION_KEY: string;
  PUBLIC_BASE_URL: string;
  ENVIRONMENT?: string;
}

/**
 * A message of the `webhooks` queue (and its dead-letter queue):
 * - `{ event_id }`: fan this event out, one delivery per matching subscription;
 * - `{ delivery_id, run, attempt }`: make attempt `attempt` of that delivery (`run` counts
 *   redeliveries; a message left over from an earlier run, or for an attempt already made, is
 *   recognised and dropped). Each attempt has its own message (services/webhooks/attempt-delivery).
 *   `attempt` is absent from messages queued before it existed: they stand for the attempt due.
 */
export type WebhookMessage = { event_id: string } | { delivery_id: string; run: number; attempt?: number };

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    timer: StorageTimer;
    db: Db;
    principal: Principal;
    /** Organization named by X-Entity-Id, not yet checked against the caller: services check it in their own query. */
    entityId: string | undefined;
  };
};
