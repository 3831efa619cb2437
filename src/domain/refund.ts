import type { PaymentStatus } from "./payment";
import { moneyReceived, RECEIVED_INTENT_STATUSES, transition, TransitionRefused, type IntentState } from "./payment-intent";

/** A refund: `pending → succeeded | failed`. A pending refund already counts against the balance. */
export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_TRANSITIONS = {
  pending: ["succeeded", "failed"],
  succeeded: [],
  failed: [],
} as const satisfies Record<RefundStatus, readonly RefundStatus[]>;

/** How a pending refund settles (the provider's answer, or the sandbox's simulation). */
export const REFUND_OUTCOMES = REFUND_TRANSITIONS.pending;
export type RefundOutcome = (typeof REFUND_OUTCOMES)[number];

/**
 * Why a refund stays pending beyond the provider's usual processing (null otherwise, and once it
 * settles). `provider_unavailable`: no provider can send money back in this mode (live mode has
 * none registered yet), so nothing moved; the refund is never reported succeeded on its own.
 */
export const REFUND_PENDING_REASONS = ["provider_unavailable"] as const;
export type RefundPendingReason = (typeof REFUND_PENDING_REASONS)[number];

export interface RefundState {
  id: string;
  payment_intent_id: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string | null;
  failure_code: string | null;
  /** Absent from refunds stored before it existed: read as null. */
  pending_reason?: RefundPendingReason | null;
  completed_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** What may still be refunded: received minus every refund not failed. */
export function refundable(amountReceived: number, refunds: readonly Pick<RefundState, "amount" | "status">[]): number {
  const committed = refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
  return amountReceived - committed;
}

/** The intent's refund status once refunds have succeeded. */
export function refundedStatus(amountReceived: number, refundedAmount: number): (typeof RECEIVED_INTENT_STATUSES)[number] {
  if (refundedAmount <= 0) return "succeeded";
  return refundedAmount >= amountReceived ? "refunded" : "partially_refunded";
}

export function presentRefund(r: RefundState, livemode: boolean) {
  return {
    id: r.id,
    object: "refund" as const,
    livemode,
    payment_intent_id: r.payment_intent_id,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    failure_code: r.failure_code,
    pending_reason: r.pending_reason ?? null,
    created_at: r.created_at,
    completed_at: r.completed_at,
  };
}

// ── decisions ─────────────────────────────────────────────────────────────────────────────
// Made inside the intent's storage transaction, so that the balance check and the refund's
// creation (or its settlement) are one step however many requests arrive at once.

/**
 * A refund asked of an intent. `refundId` is minted by the caller (derived from the
 * Idempotency-Key when there is one): asking again with the same id finds the refund it made, and
 * asking under that id for another amount or reason is refused. Otherwise the balance rule: the
 * refunds not failed (pending included) never exceed what was received; no amount means all that
 * remains.
 */
export function requestRefund(
  s: IntentState,
  refunds: readonly RefundState[],
  input: { refundId: string; amount?: number | undefined; reason: string | null },
): { kind: "existing"; refund: RefundState } | { kind: "new"; amount: number } {
  const existing = refunds.find((r) => r.id === input.refundId);
  if (existing) {
    const others = refunds.filter((r) => r.id !== existing.id);
    const asked = input.amount ?? refundable(s.amount_received, others);
    if (asked !== existing.amount || input.reason !== existing.reason) {
      throw new TransitionRefused("idempotency_key_reused", "This Idempotency-Key already made a refund with another amount or reason.", "business_rule");
    }
    return { kind: "existing", refund: existing };
  }
  // A refund may be asked of an intent whose money was received. A fully refunded intent is one
  // of them, so that asking it for more is the balance rule (422, nothing remains), as it is while
  // its last refunds are still pending, not a state conflict that depends on settlement timing.
  if (!moneyReceived(s.status)) {
    throw new TransitionRefused("payment_intent_not_refundable", `Only a succeeded payment can be refunded; this one is ${s.status}.`, "conflict");
  }
  const remaining = refundable(s.amount_received, refunds);
  const amount = input.amount ?? remaining;
  if (amount > remaining || amount <= 0) {
    throw new TransitionRefused(
      "amount_exceeds_refundable",
      remaining === 0
        ? "Nothing remains refundable on this payment: 0 cents (everything received is refunded or being refunded)."
        : `The refund (${amount} cents) exceeds what remains refundable on this payment: ${remaining} cents.`,
      "business_rule",
    );
  }
  return { kind: "new", amount };
}

/** A new refund of the intent, pending (with why, when nothing can move the money yet). */
export function newRefund(
  s: IntentState,
  input: { id: string; amount: number; reason: string | null; pendingReason: RefundPendingReason | null },
  now: number,
): RefundState {
  const at = new Date(now).toISOString();
  return {
    id: input.id,
    payment_intent_id: s.id,
    amount: input.amount,
    currency: s.currency,
    status: "pending",
    reason: input.reason,
    failure_code: null,
    pending_reason: input.pendingReason,
    completed_at: null,
    version: 1,
    created_at: at,
    updated_at: at,
  };
}

/** The ledger entry's refunded amount and status after a refund succeeded (absolute, so a replay is harmless). */
export interface LedgerRefund {
  refunded_amount: number;
  status: Exclude<PaymentStatus, "completed">;
}

/**
 * A pending refund settles. Succeeded: the intent's refunded amount grows and its status follows
 * (partially_refunded, refunded), and so does the ledger entry. Failed: the amount is released
 * and the intent does not move. A refund no longer pending settles no more (null).
 */
export function settleRefund(
  s: IntentState,
  refund: RefundState,
  outcome: RefundOutcome,
  now: number,
): { refund: RefundState; next: IntentState; ledgerRefund: LedgerRefund | null } | null {
  if (refund.status !== "pending") return null;
  const at = new Date(now).toISOString();
  const settled: RefundState = {
    ...refund,
    status: outcome,
    failure_code: outcome === "failed" ? "refund_failed" : null,
    pending_reason: null,
    completed_at: outcome === "succeeded" ? at : null,
    version: refund.version + 1,
    updated_at: at,
  };
  if (outcome === "failed") return { refund: settled, next: s, ledgerRefund: null };
  const refundedAmount = s.refunded_amount + refund.amount;
  const status = refundedStatus(s.amount_received, refundedAmount);
  return {
    refund: settled,
    next: transition(s, status, { refunded_amount: refundedAmount }, at),
    ledgerRefund: { refunded_amount: refundedAmount, status: status === "refunded" ? "refunded" : "partially_refunded" },
  };
}
