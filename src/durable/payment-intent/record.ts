import type { ProjectionRecord } from "../../db/projection/payment-intent";
import { parisToday } from "../../domain/dates";
import { publicIntent, type IntentState, type LinkOutcome, type PublicIntent } from "../../domain/payment-intent";
import type { Actor } from "../../domain/payment-intent-rpc";
import { creditNoteIdOfRefund, type CreditedAmounts } from "../../domain/credit-note";
import { presentRefund, type RefundState } from "../../domain/refund";
import { newId } from "../../lib/ids";

/**
 * The outbox record of one transition: everything its projection writes to D1, with every id
 * minted here, inside the transition's storage transaction, so that replaying it changes nothing.
 */

export interface RecordInput {
  /** The audit action on the intent (null: the intent's own row does not change). */
  action: string | null;
  actor: Actor;
  requestId: string | null;
  linkStatus: LinkOutcome | null;
  refund?: Pick<ProjectionRecord, "refund" | "ledger_refund" | "credit_note">;
}

export function transitionRecord(prev: IntentState, next: IntentState, input: RecordInput, now: number): ProjectionRecord {
  const refund = { credit_note: null, ...(input.refund ?? { refund: null, ledger_refund: null }) };
  const at = refund.refund?.state.updated_at ?? next.updated_at;
  const statusChanged = prev.status !== next.status;
  const pub = publicIntent(next);
  return {
    at,
    today: parisToday(new Date(now)),
    intent: next,
    previous_status: statusChanged ? prev.status : null,
    event: statusChanged
      ? {
          id: newId("event"),
          type: "payment_intent.status_changed",
          data: { payment_intent_id: next.id, previous_status: prev.status, current_status: next.status, payment_intent: pub },
        }
      : null,
    audit: input.action ? { id: newId("audit_log"), action: input.action, before: auditFields(publicIntent(prev)), after: auditFields(pub) } : null,
    actor: input.actor,
    request_id: input.requestId,
    link_status: input.linkStatus,
    ledger: statusChanged ? ledgerEntry(prev, next) : null,
    ...refund,
    invoice_event_id: newId("event"),
    invoice_audit_id: newId("audit_log"),
  };
}

/**
 * What a status change makes of the intent's ledger entry (one per intent, `pay-` + its id):
 * pending once the money is on its way, completed when received (the captured amount for a
 * hold), failed when the attempt on its way fails, canceled when a hold is released. A payer who
 * retries after a failure moves the same entry back to pending.
 */
function ledgerEntry(prev: IntentState, next: IntentState): ProjectionRecord["ledger"] {
  const id = `pay-${next.id.slice(3)}`;
  const method = next.selected_payment_method;
  if (!method) return null;
  if (next.status === "processing") return { id, amount: next.amount, method, paid_at: next.updated_at, status: "pending" };
  if (next.status === "succeeded") return { id, amount: next.amount_received, method, paid_at: next.completed_at!, status: "completed" };
  if (next.status === "failed" && prev.status === "processing") return { id, amount: next.amount, method, paid_at: next.updated_at, status: "failed" };
  if (next.status === "canceled" && prev.status === "requires_capture") return { id, amount: next.amount_authorized ?? next.amount, method, paid_at: next.updated_at, status: "canceled" };
  return null;
}

/** A refund's creation, with its event and audit entry. */
export function refundCreated(refund: RefundState, livemode: boolean): NonNullable<ProjectionRecord["refund"]> {
  return {
    state: refund,
    event: { id: newId("event"), type: "refund.created", data: { refund_id: refund.id, refund: presentRefund(refund, livemode) } },
    audit: { id: newId("audit_log"), action: "created", before: null, after: presentRefund(refund, livemode) },
  };
}

/** A pending refund settled, with its event and audit entry. */
export function refundSettled(settled: RefundState, livemode: boolean): NonNullable<ProjectionRecord["refund"]> {
  return {
    state: settled,
    event: {
      id: newId("event"),
      type: "refund.status_changed",
      data: { refund_id: settled.id, previous_status: "pending", current_status: settled.status, refund: presentRefund(settled, livemode) },
    },
    audit: { id: newId("audit_log"), action: "status_changed", before: { status: "pending" }, after: { status: settled.status, failure_code: settled.failure_code } },
  };
}

/**
 * The credit note a price-reduction refund that succeeded issues, with its event and audit entry
 * ids; its number is given by the projection's batch (AV- series). Its id is the refund's
 * (creditNoteIdOfRefund), so the refund names it and a replay finds it.
 */
export function creditNoteCreated(settled: RefundState, credited: CreditedAmounts): NonNullable<ProjectionRecord["credit_note"]> {
  const basis = settled.credit_basis!;
  return {
    id: creditNoteIdOfRefund(settled.id),
    refund_id: settled.id,
    invoice_number: basis.invoice_number,
    invoice_issue_date: basis.invoice_issue_date,
    reason: settled.reason,
    currency: settled.currency,
    amounts: credited,
    event_id: newId("event"),
    audit_id: newId("audit_log"),
  };
}

/** The fields an audit entry of an intent keeps. */
function auditFields(p: PublicIntent) {
  return {
    status: p.status,
    selected_payment_method: p.selected_payment_method,
    aiia_status: p.aiia_status,
    provider_status: p.provider_status,
    failure_code: p.failure_code,
    version: p.version,
  };
}
