import type { IntentState, PaymentMethod, PublicIntent, RefusalKind, TransitionRefused } from "./payment-intent";
import type { presentRefund } from "./refund";

/**
 * The contract of the PaymentIntent Durable Object's RPC methods: what callers (services, pages,
 * cron jobs) send and get back. It lives here, not beside the object, so that both sides import
 * it and neither imports the other.
 */

/** Whose the intent must be for a call to reach it (another partner's, mode's or organization's: 404). */
export interface Tenant {
  partnerId: string;
  livemode: boolean;
  /**
   * null: any organization of the partner in that mode — a call addressed by the intent's id
   * without X-Entity-Id (ids are unique, the object knows its own organization).
   */
  organizationId: string | null;
}

/** Who acts, as the audit trail names them. */
export interface Actor {
  id: string;
  type: "partner" | "system" | "payer";
}

/** Every command names who acts and on whose behalf: the object refuses another tenant's call (404). */
export interface CommandMeta {
  actor: Actor;
  requestId?: string | null;
  tenant: Tenant;
}

/**
 * A refusal, as a value: it is part of the contract, not a crash. `status` says which kind of
 * refusal it is (400 invalid input, 404 not this caller's, 409 wrong state, 422 business rule);
 * `unwrapIntentResult` (services/payment-intents/intent-result.ts) turns it into a domain error.
 */
export interface Refusal {
  ok: false;
  code: string;
  message: string;
  status: 400 | 404 | 409 | 422;
}

/**
 * `d1_bookmark`: the bookmark of the object's own D1 session after the call, so that the API
 * response's X-D1-Bookmark covers what the object projected (a read sent with it sees the write).
 */
export type IntentResult = { ok: true; intent: PublicIntent; allowed_methods: PaymentMethod[]; d1_bookmark?: string | null } | Refusal;

export type RefundResult = { ok: true; refund: ReturnType<typeof presentRefund>; intent: PublicIntent; d1_bookmark?: string | null } | Refusal;

/** The outcomes `simulate` drives a test-mode intent to (POST /v1/sandbox/payment_intents/{id}/simulate). */
export const SIMULATED_OUTCOMES = ["succeeded", "insufficient_funds", "account_blocked", "card_declined", "expired"] as const;
export type SimulatedOutcome = (typeof SIMULATED_OUTCOMES)[number];

const REFUSAL_STATUS = { invalid_request: 400, conflict: 409, business_rule: 422 } as const satisfies Record<RefusalKind, Refusal["status"]>;

/** A decision the object refused, as its RPC answer. */
export function refusalOf(err: TransitionRefused): Refusal {
  return { ok: false, code: err.code, message: err.message, status: REFUSAL_STATUS[err.kind] };
}

/** The answer for an intent (or one of its refunds) the caller may not see: as if it did not exist. */
export function notFound(resource: "payment_intent" | "refund" | "payment_link", id: string): Refusal {
  return { ok: false, code: "resource_missing", message: `No such ${resource}: '${id}'.`, status: 404 };
}

/** The object checks its caller's tenant itself, so a worker needs no D1 read before calling it. */
export function belongsTo(s: IntentState, t: Tenant): boolean {
  return s.partner_id === t.partnerId && s.livemode === t.livemode && (t.organizationId === null || s.organization_id === t.organizationId);
}
