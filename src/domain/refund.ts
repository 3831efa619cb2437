import type { IntentStatus } from "./payment-intent";

/** A refund: `pending → succeeded | failed`. A pending refund already counts against the balance. */
export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

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

/**
 * Intent statuses a refund may be asked of: the money was received. A fully refunded intent stays
 * among them so that asking it for more is the balance rule (422, nothing remains), as it is
 * while its last refunds are still pending, not a state conflict that depends on settlement timing.
 */
export const REFUNDABLE_INTENT_STATUSES: readonly IntentStatus[] = ["succeeded", "partially_refunded", "refunded"];

/** What may still be refunded: received minus every refund not failed. */
export function refundable(amountReceived: number, refunds: readonly Pick<RefundState, "amount" | "status">[]): number {
  const committed = refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
  return amountReceived - committed;
}

/** The intent's refund status once refunds have succeeded. */
export function refundedStatus(amountReceived: number, refundedAmount: number): "succeeded" | "partially_refunded" | "refunded" {
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
