import type { PaymentLinkClosure } from "./payment-link";

/**
 * The payment intent state machine (DESIGN.md §4) and its pure transitions. The PaymentIntent
 * Durable Object applies them inside one synchronous storage transaction; nothing here does I/O.
 *
 * created → pending (payer chose a method) → processing (transfer initiated at the provider)
 *   → succeeded | failed;  created|pending|failed → canceled (link revoked or expired);
 *   failed → pending (the payer tries again from the same link);
 *   succeeded → partially_refunded → refunded.
 * A card hold (capture_method `manual`, issue 13): processing → requires_capture (authorized,
 *   not charged) → succeeded (captured, at most the authorized amount) | canceled (released by
 *   the partner, or expired at capture_before).
 */
export const INTENT_STATUSES = ["created", "pending", "processing", "requires_capture", "succeeded", "failed", "canceled", "partially_refunded", "refunded"] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export const INTENT_TRANSITIONS: Record<IntentStatus, readonly IntentStatus[]> = {
  created: ["pending", "canceled"],
  pending: ["processing", "failed", "canceled"],
  processing: ["requires_capture", "succeeded", "failed"],
  requires_capture: ["succeeded", "canceled"],
  failed: ["pending", "canceled"],
  succeeded: ["partially_refunded", "refunded"],
  partially_refunded: ["refunded"],
  refunded: [],
  canceled: [],
};

/**
 * The money was received: the payment stands, refunds may follow. A fully refunded intent stays
 * among them (the payer paid; what happened after is refunds).
 */
export const RECEIVED_INTENT_STATUSES = ["succeeded", "partially_refunded", "refunded"] as const satisfies readonly IntentStatus[];

export function moneyReceived(status: IntentStatus): boolean {
  return (RECEIVED_INTENT_STATUSES as readonly IntentStatus[]).includes(status);
}

/**
 * Not yet settled nor closed: the payer may still act or the transfer is on its way. An intent
 * that rests here is one whose projection the reconcile cron checks.
 */
export const UNSETTLED_INTENT_STATUSES = ["created", "pending", "processing", "failed"] as const satisfies readonly IntentStatus[];

/** Where the payer can still act (or give up): what revoking or expiring the link cancels. */
export const PAYER_OPEN_INTENT_STATUSES = ["created", "pending", "failed"] as const satisfies readonly IntentStatus[];

/** `automatic`: the payment is taken when authorized; `manual`: a card hold, captured later. */
export const CAPTURE_METHODS = ["automatic", "manual"] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

/** Why an intent was canceled. */
export const CANCELLATION_REASONS = ["link_revoked", "link_expired", "requested", "hold_expired"] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** How long a card hold can be captured after its authorization (seed 003: "encaissable sous 6 jours et 12 heures"). */
export const HOLD_DURATION_MS = (6 * 24 + 12) * 3_600_000;

/** Whether the map lets an intent that is `from` become `to`. */
export function mayBecome(from: IntentStatus, to: IntentStatus): boolean {
  return INTENT_TRANSITIONS[from].includes(to);
}

export const PAYMENT_METHODS = ["sepa_credit", "card"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Aiia's view of a transfer, mirrored on the intent (seed 001 "Suivi du statut Aiia"). */
export const AIIA_STATUSES = ["initiated", "authorized", "settled", "rejected"] as const;
export type AiiaStatus = (typeof AIIA_STATUSES)[number];

export interface IntentState {
  id: string;
  partner_id: string;
  livemode: boolean;
  organization_id: string;
  /** Null for a payment request without an invoice. */
  invoice_id: string | null;
  payment_link_id: string;
  amount: number;
  currency: string;
  status: IntentStatus;
  /** Absent from objects created before issue 13: read as `automatic`. */
  capture_method?: CaptureMethod;
  /** A hold: the amount the card was authorized for, and until when it can be captured (ISO). */
  amount_authorized?: number | null;
  capture_before?: string | null;
  cancellation_reason?: CancellationReason | null;
  allowed_methods: PaymentMethod[];
  selected_payment_method: PaymentMethod | null;
  provider: string | null;
  provider_reference: string | null;
  aiia_status: AiiaStatus | null;
  aiia_transaction_id: string | null;
  /** The provider's own status word, kept raw. */
  provider_status: string | null;
  amount_received: number;
  refunded_amount: number;
  failure_code: string | null;
  failure_message: string | null;
  completed_at: string | null;
  /** Unix ms after which the link expires (null: never). */
  expires_at: number | null;
  /** Counts payment attempts: a form rendered for attempt n is stale once n changes. */
  attempt: number;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * What kind of refusal: the input cannot apply to this intent (`invalid_request`), the intent's
 * state does not allow it (`conflict`), or a business rule forbids it (`business_rule`).
 */
export type RefusalKind = "invalid_request" | "conflict" | "business_rule";

/** A decision refused: nothing is written, and the caller is told why (a stable `code`). */
export class TransitionRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: RefusalKind = "conflict",
  ) {
    super(message);
  }
}

export function assertTransition(from: IntentStatus, to: IntentStatus): void {
  if (!mayBecome(from, to)) {
    throw new TransitionRefused("invalid_intent_transition", `A payment intent that is ${from} cannot become ${to}.`);
  }
}

/** The next state after a status change, with the version bumped. */
export function transition(state: IntentState, to: IntentStatus, patch: Partial<IntentState>, now: string): IntentState {
  if (to !== state.status) assertTransition(state.status, to);
  return { ...state, ...patch, status: to, version: state.version + 1, updated_at: now };
}

/** What the outside world sees of the intent (API, events): the private fields stay in the object. */
export function publicIntent(s: IntentState) {
  return {
    id: s.id,
    object: "payment_intent" as const,
    livemode: s.livemode,
    organization_id: s.organization_id,
    invoice_id: s.invoice_id,
    payment_link_id: s.payment_link_id,
    amount: s.amount,
    currency: s.currency,
    status: s.status,
    capture_method: s.capture_method ?? "automatic",
    amount_authorized: s.amount_authorized ?? null,
    capture_before: s.capture_before ?? null,
    cancellation_reason: s.cancellation_reason ?? null,
    selected_payment_method: s.selected_payment_method,
    aiia_status: s.aiia_status,
    aiia_transaction_id: s.aiia_transaction_id,
    provider_status: s.provider_status,
    amount_received: s.amount_received,
    refunded_amount: s.refunded_amount,
    failure_code: s.failure_code,
    failure_message: s.failure_message,
    completed_at: s.completed_at,
    version: s.version,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

export type PublicIntent = ReturnType<typeof publicIntent>;

// ── decisions ─────────────────────────────────────────────────────────────────────────────
// What the PaymentIntent object decides, from its state and a command or a due timer. Each
// returns the change to persist (null: nothing to do) or throws TransitionRefused; the object
// persists the change with its outbox record in one storage transaction.

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

/** What becomes of the payment link with a change: paid, expired or revoked (it leaves `active`). */
export type LinkOutcome = PaymentLinkClosure;

/** Why an intent is canceled: its link was revoked or expired. */
export type CancelReason = Exclude<LinkOutcome, "completed">;

const LINK_CANCELLATION: Record<CancelReason, CancellationReason> = { revoked: "link_revoked", expired: "link_expired" };

/** A decided change: the next state, the audit action that names it, and the link's fate if any. */
export interface IntentChange {
  next: IntentState;
  action: string;
  linkStatus?: LinkOutcome;
}

/** Before money is on its way: the link can still be revoked or expire. A hold has its own end (capture_before). */
function isCancelable(status: IntentStatus): boolean {
  return (PAYER_OPEN_INTENT_STATUSES as readonly IntentStatus[]).includes(status);
}

function iso(now: number): string {
  return new Date(now).toISOString();
}

/** Why a command cannot act on an intent in this status, in the payer's and the partner's terms. */
export function refusedFor(status: IntentStatus): TransitionRefused {
  if (status === "processing") return new TransitionRefused("payment_processing", "The payment is being processed; it can no longer be changed or revoked.");
  if (status === "requires_capture") return new TransitionRefused("payment_authorized", "The card is authorized (a hold): capture or cancel the payment intent.");
  if (moneyReceived(status)) {
    return new TransitionRefused("payment_completed", "The payment has already succeeded.");
  }
  return new TransitionRefused("payment_intent_canceled", "The payment link was revoked or has expired.");
}

/**
 * The payer picks a method. `version` is the intent version the page was rendered for: a form
 * replayed after the intent moved on is refused (`stale_form`). Picking again while pending only
 * changes the method; the same method again changes nothing.
 */
export function choosePaymentMethod(s: IntentState, input: { method: PaymentMethod; version: number }, now: number): IntentChange | null {
  if (!s.allowed_methods.includes(input.method)) throw new TransitionRefused("payment_method_not_allowed", `This link does not accept ${input.method}.`, "invalid_request");
  if (input.version !== s.version) throw new TransitionRefused("stale_form", "This form was already used; the page shows the payment's current state.");
  if (s.status === "pending") {
    if (s.selected_payment_method === input.method) return null;
    return { next: { ...s, selected_payment_method: input.method, version: s.version + 1, updated_at: iso(now) }, action: "method_changed" };
  }
  if (!mayBecome(s.status, "pending")) throw refusedFor(s.status);
  const next = transition(
    s,
    "pending",
    {
      selected_payment_method: input.method,
      attempt: s.attempt + 1,
      failure_code: null,
      failure_message: null,
      aiia_status: null,
      aiia_transaction_id: null,
      provider_status: null,
      provider: null,
      provider_reference: null,
    },
    iso(now),
  );
  return { next, action: "status_changed" };
}

/** One provider step applied: processing (a first or a further provider status), succeeded or failed. */
export function applyProviderStep(s: IntentState, step: ProviderStep, now: number): IntentChange {
  const at = iso(now);
  const patch: Partial<IntentState> = {
    provider_status: step.providerStatus,
    // The aiia_* fields describe an open-banking transfer; a card payment leaves them null.
    ...(step.aiiaStatus ? { aiia_status: step.aiiaStatus } : {}),
    ...(step.aiiaStatus && step.transactionId ? { aiia_transaction_id: step.transactionId } : {}),
  };
  if (step.intentStatus === "succeeded" && s.capture_method === "manual") {
    // A hold: the card is authorized, not charged. The payer is done; the partner captures. The
    // acquirer's last word for an automatic payment names a capture that a hold does not make:
    // the authorization's own status stands until the partner captures.
    return {
      next: transition(
        s,
        "requires_capture",
        { ...patch, provider_status: s.provider_status ?? step.providerStatus, amount_authorized: s.amount, capture_before: iso(now + HOLD_DURATION_MS) },
        at,
      ),
      action: "status_changed",
      linkStatus: "completed",
    };
  }
  if (step.intentStatus === "succeeded") {
    return { next: transition(s, "succeeded", { ...patch, amount_received: s.amount, completed_at: at }, at), action: "status_changed", linkStatus: "completed" };
  }
  if (step.intentStatus === "failed") {
    return {
      next: transition(s, "failed", { ...patch, failure_code: step.failureCode ?? "payment_failed", failure_message: step.failureMessage ?? null }, at),
      action: "status_changed",
    };
  }
  if (s.status === "processing") return { next: { ...s, ...patch, version: s.version + 1, updated_at: at }, action: "provider_update" };
  return { next: transition(s, "processing", patch, at), action: "status_changed" };
}

/**
 * The provider's answer to the payer's authorization of the intent at `version` (pending): the
 * first step applies now, later ones are due at their time (timers of this attempt). Submitting
 * the same authorization twice finds the intent moved on: nothing moves twice.
 */
export function startProviderSteps(
  s: IntentState,
  input: { version: number; provider: string; reference: string; steps: ProviderStep[] },
  now: number,
): { change: IntentChange; later: { dueAt: number; attempt: number; step: ProviderStep }[] } {
  if (input.version !== s.version || s.status !== "pending") {
    throw new TransitionRefused("stale_form", "This payment attempt was already submitted; the page shows its current state.");
  }
  const [first, ...later] = input.steps;
  if (!first) throw new TransitionRefused("no_provider_step", "The provider returned nothing to apply.", "business_rule");
  const started = { ...s, provider: input.provider, provider_reference: input.reference };
  return {
    change: applyProviderStep(started, first, now),
    later: later.map((step) => ({ dueAt: now + step.afterMs, attempt: s.attempt, step })),
  };
}

/** A later provider step comes due: it applies only to the attempt that armed it, still processing. */
export function providerStepDue(s: IntentState, timer: { attempt: number; step: ProviderStep }, now: number): IntentChange | null {
  if (timer.attempt !== s.attempt || s.status !== "processing") return null;
  return applyProviderStep(s, timer.step, now);
}

/** Link revoked by the partner, or expired: only before money is on its way. Canceling twice changes nothing. */
export function cancelIntent(s: IntentState, reason: CancelReason, now: number): IntentChange | null {
  if (s.status === "canceled") return null;
  if (!isCancelable(s.status)) throw refusedFor(s.status);
  return { next: transition(s, "canceled", { cancellation_reason: LINK_CANCELLATION[reason] }, iso(now)), action: "status_changed", linkStatus: reason };
}

/**
 * The partner captures a hold: at most the authorized amount, once; the rest is released. The
 * captured amount is what was received (the ledger entry and what can be refunded).
 */
export function captureIntent(s: IntentState, input: { amount?: number | undefined }, now: number): IntentChange {
  if (s.status !== "requires_capture") {
    throw new TransitionRefused("payment_intent_not_capturable", `Only a payment intent in requires_capture can be captured; this one is ${s.status}.`);
  }
  const authorized = s.amount_authorized ?? s.amount;
  const amount = input.amount ?? authorized;
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new TransitionRefused("invalid_amount", "The amount to capture is a positive integer of cents.", "invalid_request");
  if (amount > authorized) {
    throw new TransitionRefused("amount_exceeds_authorized", `Amount too high: ${amount} cents exceeds the ${authorized} cents authorized.`, "business_rule");
  }
  const at = iso(now);
  // The provider's status follows the money: what was an authorization is now a capture.
  const captured = s.provider_status?.startsWith("authorized") ? s.provider_status.replace(/^authorized/, "captured") : "captured";
  return { next: transition(s, "succeeded", { amount_received: amount, completed_at: at, provider_status: captured }, at), action: "captured" };
}

/**
 * The partner cancels the intent: a hold is released (nothing is charged); an intent the payer
 * can still act on is canceled and its link revoked. Anything past that is refused (409).
 */
export function cancelByPartner(s: IntentState, now: number): IntentChange | null {
  if (s.status === "canceled") return null;
  const at = iso(now);
  if (s.status === "requires_capture") return { next: transition(s, "canceled", { cancellation_reason: "requested" }, at), action: "hold_released" };
  if (!isCancelable(s.status)) throw refusedFor(s.status);
  return { next: transition(s, "canceled", { cancellation_reason: "requested" }, at), action: "status_changed", linkStatus: "revoked" };
}

/** A hold reaches capture_before (the alarm, or the sandbox clock's `as_of`): it is released. */
export function expireHold(s: IntentState, now: number): IntentChange | null {
  if (s.status !== "requires_capture" || !s.capture_before || Date.parse(s.capture_before) > now) return null;
  return { next: transition(s, "canceled", { cancellation_reason: "hold_expired" }, iso(now)), action: "hold_expired" };
}

/** Once a transfer in progress at the link's expiry has settled, expiry is decided again after this. */
export const EXPIRY_RECHECK_MS = 60_000;

/**
 * The link's expiry comes due: the intent is canceled if the payer can still act; while a
 * transfer is processing, expiry waits for its outcome (checked again later); a paid or
 * canceled intent has nothing to expire.
 */
export function expireIntent(s: IntentState, now: number): { kind: "cancel"; change: IntentChange } | { kind: "recheck"; at: number } | { kind: "none" } {
  if (isCancelable(s.status)) {
    return { kind: "cancel", change: { next: transition(s, "canceled", { cancellation_reason: "link_expired" }, iso(now)), action: "status_changed", linkStatus: "expired" } };
  }
  if (s.status === "processing") return { kind: "recheck", at: now + EXPIRY_RECHECK_MS };
  return { kind: "none" };
}
