import { creditNoteIdOfRefund, splitPriceReduction, type CreditedAmounts } from "./credit-note";
import type { InvoiceStatus } from "./invoice-status";
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

/**
 * What a refund does to the invoice. `price_reduction`: the price is lowered (a commercial
 * discount, a billing error): once the refund succeeds a partial credit note is issued for its
 * amount, the invoice's payable amount drops by as much and a paid invoice stays paid.
 * `repayment`: money goes back and the price stands (a duplicate payment, a goodwill refund to be
 * paid again): the invoice is owed that amount again.
 */
export const REFUND_TYPES = ["price_reduction", "repayment"] as const;
export type RefundType = (typeof REFUND_TYPES)[number];

/**
 * The type of a refund asked without one: a price reduction when the invoice is paid in full and
 * the refund says why (seed 001's "Remise commerciale de 100€"), else a repayment. The invoice's
 * status is read when the refund is asked.
 */
export function resolveRefundType(asked: RefundType | null, invoiceStatus: InvoiceStatus, reason: string | null): RefundType {
  if (asked) return asked;
  return invoiceStatus === "paid" && reason ? "price_reduction" : "repayment";
}

/** What a price reduction's credit note needs of its invoice, read when the refund is asked (an issued invoice's amounts never change). */
export interface CreditBasis {
  invoice_number: string;
  /** YYYY-MM-DD (Paris): the credited invoice's date, cited by the credit note (BT-26). */
  invoice_issue_date: string;
  tax_breakdown: { vat_rate: number; taxable_amount: number; tax_amount: number }[];
}

/** The invoice as the refund's service reads it: its status (for the default type) and what a credit note cites. */
export interface RefundInvoice extends CreditBasis {
  status: InvoiceStatus;
}

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
  /** Absent from refunds stored before issue 12: read as repayment. */
  type?: RefundType;
  /** A price reduction's invoice facts for its credit note (null for a repayment). */
  credit_basis?: CreditBasis | null;
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
    type: r.type ?? "repayment",
    // A price reduction's credit note exists once the refund succeeded (the same projection batch).
    credit_note_id: r.status === "succeeded" && r.type === "price_reduction" ? creditNoteIdOfRefund(r.id) : null,
    failure_code: r.failure_code,
    pending_reason: r.pending_reason ?? null,
    // Webhook receivers keep the highest version per object (events' object_version).
    version: r.version,
    created_at: r.created_at,
    completed_at: r.completed_at,
  };
}

// ── ids ───────────────────────────────────────────────────────────────────────────────────

/** `xxxxxxxx-xxxx-Vxxx-`: the first 64 bits of a uuid, its dash included (timestamp and sequence of a v7). */
const HEAD = 19;

/**
 * A refund's id names its payment intent: its uuid opens with the intent's first 64 bits (the
 * intent's creation millisecond and sequence, for a v7 id) and ends with 64 bits of its own
 * (`own`: any `ref-` id, random or derived from an Idempotency-Key). The refund is decided in
 * the intent's object and lands in D1 just after the answer; until then a read finds the
 * intent from the id alone (`intentIdRange`) and asks its object. Still `ref-<uuid>`.
 */
export function refundIdNaming(intentId: string, own: string): string {
  const intent = intentId.slice(intentId.indexOf("-") + 1);
  const tail = own.slice(own.indexOf("-") + 1);
  return `ref-${intent.slice(0, HEAD)}${tail.slice(HEAD)}`;
}

/**
 * The payment intent ids a refund id may name, as a range of D1's primary key
 * (`[from, to)`): every `pi-` id sharing its first 64 bits. Usually one intent; a few at most
 * when intents of other isolates were created in the same millisecond with the same sequence.
 */
export function intentIdRange(refundId: string): { from: string; to: string } {
  const head = refundId.slice(refundId.indexOf("-") + 1, refundId.indexOf("-") + 1 + HEAD);
  // "-" is 0x2d and "." 0x2e: every id that continues `pi-<head>` sorts below `pi-<head minus its dash>.`.
  return { from: `pi-${head}`, to: `pi-${head.slice(0, -1)}.` };
}

// ── decisions ─────────────────────────────────────────────────────────────────────────────
// Made inside the intent's storage transaction, so that the balance check and the refund's
// creation (or its settlement) are one step however many requests arrive at once.

/**
 * A refund asked of an intent. `refundId` is minted by the caller (derived from the
 * Idempotency-Key when there is one): asking again with the same id finds the refund it made, and
 * asking under that id for another amount, reason or (explicit) type is refused. Otherwise the
 * balance rule: the refunds not failed (pending included) never exceed what was received; no
 * amount means all that remains. The type is the one asked, or the default rule over the invoice
 * the caller read (`invoice`: null only when a repayment was asked, which needs no invoice).
 */
export function requestRefund(
  s: IntentState,
  refunds: readonly RefundState[],
  input: { refundId: string; amount?: number | undefined; reason: string | null; type?: RefundType | null | undefined; invoice?: RefundInvoice | null | undefined },
): { kind: "existing"; refund: RefundState } | { kind: "new"; amount: number; type: RefundType; creditBasis: CreditBasis | null } {
  const existing = refunds.find((r) => r.id === input.refundId);
  if (existing) {
    const others = refunds.filter((r) => r.id !== existing.id);
    const asked = input.amount ?? refundable(s.amount_received, others);
    if (asked !== existing.amount || input.reason !== existing.reason || (input.type && input.type !== (existing.type ?? "repayment"))) {
      throw new TransitionRefused("idempotency_key_reused", "This Idempotency-Key already made a refund with another amount, reason or type.", "business_rule");
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
        ? `This payment has nothing left to refund: all ${s.amount_received} cents received are refunded or being refunded (a pending refund counts until it settles or fails).`
        : `The refund asks ${amount} cents; only ${remaining} cents of this payment remain refundable (of ${s.amount_received} received).`,
      "business_rule",
    );
  }
  const type = input.invoice ? resolveRefundType(input.type ?? null, input.invoice.status, input.reason) : (input.type ?? "repayment");
  // A payment without an invoice (a payment request) can only be repaid: a credit note corrects an invoice.
  if (type === "price_reduction" && !input.invoice) {
    throw new TransitionRefused("credit_note_requires_invoice", "A price reduction issues a credit note, which needs the invoice this payment is on.", "business_rule");
  }
  const creditBasis =
    type === "price_reduction" && input.invoice
      ? { invoice_number: input.invoice.invoice_number, invoice_issue_date: input.invoice.invoice_issue_date, tax_breakdown: input.invoice.tax_breakdown }
      : null;
  return { kind: "new", amount, type, creditBasis };
}

/** A new refund of the intent, pending (with why, when nothing can move the money yet). */
export function newRefund(
  s: IntentState,
  input: { id: string; amount: number; reason: string | null; pendingReason: RefundPendingReason | null; type?: RefundType; creditBasis?: CreditBasis | null },
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
    type: input.type ?? "repayment",
    credit_basis: input.creditBasis ?? null,
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
 * (partially_refunded, refunded), and so does the ledger entry; a price reduction also gives the
 * lines and totals of its credit note. Failed: the amount is released and the intent does not
 * move (no credit note). A refund no longer pending settles no more (null).
 */
export function settleRefund(
  s: IntentState,
  refund: RefundState,
  outcome: RefundOutcome,
  now: number,
): { refund: RefundState; next: IntentState; ledgerRefund: LedgerRefund | null; credited: CreditedAmounts | null } | null {
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
  if (outcome === "failed") return { refund: settled, next: s, ledgerRefund: null, credited: null };
  const refundedAmount = s.refunded_amount + refund.amount;
  const status = refundedStatus(s.amount_received, refundedAmount);
  return {
    refund: settled,
    next: transition(s, status, { refunded_amount: refundedAmount }, at),
    ledgerRefund: { refunded_amount: refundedAmount, status: status === "refunded" ? "refunded" : "partially_refunded" },
    credited: refund.type === "price_reduction" && refund.credit_basis ? splitPriceReduction(refund.amount, refund.credit_basis.tax_breakdown, refund.reason) : null,
  };
}
