import { TransitionRefused, type IntentState } from "../../src/domain/payment-intent";

/** Pure-decision fixtures shared by the payment intent and card hold tests. */

/** An intent in its first state (a link's, just created), with `patch` applied. */
export function intent(patch: Partial<IntentState> = {}): IntentState {
  return {
    id: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
    partner_id: "ptn-1",
    livemode: false,
    organization_id: "org-1",
    invoice_id: "inv-1",
    payment_link_id: "plink-1",
    amount: 42200,
    currency: "EUR",
    status: "created",
    allowed_methods: ["sepa_credit", "card"],
    selected_payment_method: null,
    provider: null,
    provider_reference: null,
    aiia_status: null,
    aiia_transaction_id: null,
    provider_status: null,
    amount_received: 0,
    refunded_amount: 0,
    failure_code: null,
    failure_message: null,
    completed_at: null,
    expires_at: null,
    attempt: 0,
    version: 1,
    created_at: "2025-03-14T09:00:00.000Z",
    updated_at: "2025-03-14T09:00:00.000Z",
    ...patch,
  };
}

/** The refusal a decision throws, as `code/kind`, or what it returned. */
export function outcome<T>(decide: () => T): T | string {
  try {
    return decide();
  } catch (err) {
    if (err instanceof TransitionRefused) return `${err.code}/${err.kind}`;
    throw err;
  }
}
