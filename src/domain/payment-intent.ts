/**
 * The payment intent state machine (DESIGN.md §4) and its pure transitions. The PaymentIntent
 * Durable Object applies them inside one synchronous storage transaction; nothing here does I/O.
 *
 * created → pending (payer chose a method) → processing (transfer initiated at the provider)
 *   → succeeded | failed;  created|pending|failed → canceled (link revoked or expired);
 *   failed → pending (the payer tries again from the same link);
 *   succeeded → partially_refunded → refunded.
 */
export const INTENT_STATUSES = ["created", "pending", "processing", "succeeded", "failed", "canceled", "partially_refunded", "refunded"] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export const INTENT_TRANSITIONS: Record<IntentStatus, readonly IntentStatus[]> = {
  created: ["pending", "canceled"],
  pending: ["processing", "failed", "canceled"],
  processing: ["succeeded", "failed"],
  failed: ["pending", "canceled"],
  succeeded: ["partially_refunded", "refunded"],
  partially_refunded: ["refunded"],
  refunded: [],
  canceled: [],
};

export const PAYMENT_METHODS = ["sepa_credit", "card"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Aiia's view of a transfer, mirrored on the intent (seed 001 "Suivi du statut Aiia"). */
export type AiiaStatus = "initiated" | "authorized" | "settled" | "rejected";

export interface IntentState {
  id: string;
  partner_id: string;
  livemode: boolean;
  organization_id: string;
  invoice_id: string;
  payment_link_id: string;
  amount: number;
  currency: string;
  status: IntentStatus;
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

export class TransitionRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: 409 | 422 | 400 = 409,
  ) {
    super(message);
  }
}

export function assertTransition(from: IntentStatus, to: IntentStatus): void {
  if (!INTENT_TRANSITIONS[from].includes(to)) {
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
