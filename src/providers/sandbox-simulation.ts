import { mayBecome, UNSETTLED_INTENT_STATUSES, type IntentState, type IntentStatus, type PaymentMethod, type ProviderStep } from "../domain/payment-intent";
import type { Refusal, SimulatedOutcome } from "../domain/payment-intent-rpc";
import { SANDBOX_BANK_FAILURES, sandboxBank } from "./sandbox-bank";
import { CARD_DECLINED_MESSAGE, sandboxCard } from "./sandbox-card";

/**
 * Sandbox outcomes on demand (POST /v1/sandbox/payment_intents/{id}/simulate): what the sandbox
 * providers would answer for an outcome, as steps the intent's object applies through the same
 * transitions a payer and the provider drive, all at once instead of over seconds.
 */

type DrivenOutcome = Exclude<SimulatedOutcome, "expired">;

/** The method a simulated outcome goes through: the payer's choice, else the link's first method. */
export function simulatedMethod(outcome: DrivenOutcome, s: IntentState): PaymentMethod {
  if (outcome === "card_declined") return "card";
  if (outcome === "account_blocked") return "sepa_credit";
  return s.selected_payment_method ?? s.allowed_methods[0]!;
}

/** The provider a simulated attempt is made at: the sandbox one of the method. */
export function simulatedProvider(method: PaymentMethod | null): string {
  return method === "card" ? sandboxCard.id : sandboxBank.id;
}

/** The provider's steps for the outcome through `method`, all due now. */
export function simulatedSteps(outcome: DrivenOutcome, method: PaymentMethod, now: number): ProviderStep[] {
  if (outcome === "card_declined") {
    return [{ afterMs: 0, providerStatus: "declined", intentStatus: "failed", failureCode: "card_declined", failureMessage: CARD_DECLINED_MESSAGE }];
  }
  if (method === "card") {
    return outcome === "succeeded"
      ? [
          { afterMs: 0, providerStatus: "authorized", intentStatus: "processing" },
          { afterMs: 0, providerStatus: "captured", intentStatus: "succeeded" },
        ]
      : [{ afterMs: 0, providerStatus: "declined", intentStatus: "failed", failureCode: outcome, failureMessage: "Fonds insuffisants." }];
  }
  const initiated: ProviderStep = { afterMs: 0, aiiaStatus: "initiated", providerStatus: "initiated", intentStatus: "processing", transactionId: `aiia-tx-sim-${now}` };
  if (outcome === "succeeded") {
    return [initiated, { afterMs: 0, aiiaStatus: "authorized", providerStatus: "authorized", intentStatus: "processing" }, { afterMs: 0, aiiaStatus: "settled", providerStatus: "settled", intentStatus: "succeeded" }];
  }
  return [
    initiated,
    {
      afterMs: 0,
      aiiaStatus: "rejected",
      providerStatus: "rejected",
      intentStatus: "failed",
      failureCode: outcome,
      failureMessage: SANDBOX_BANK_FAILURES[outcome],
    },
  ];
}

/**
 * How the intent's object drives an outcome from the intent as it is: expire it; or choose the
 * method first (created, failed), have the provider start the attempt with the first step
 * (pending, after choosing), then apply the rest now (processing). Refused when the link does
 * not take the outcome's method (400) or the intent is past simulating (409).
 */
export type SimulationPlan =
  | { kind: "expire" }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "steps"; method: PaymentMethod; choose: boolean; first: ProviderStep; rest: ProviderStep[] };

export function planSimulation(outcome: SimulatedOutcome, s: IntentState, now: number): SimulationPlan {
  if (outcome === "expired") return { kind: "expire" };
  const method = simulatedMethod(outcome, s);
  if (!s.allowed_methods.includes(method)) {
    return { kind: "refused", refusal: { ok: false, code: "payment_method_not_allowed", message: `Outcome ${outcome} needs ${method}, which this link does not accept.`, status: 400 } };
  }
  // Settled or closed: the outcome is known already.
  if (!(UNSETTLED_INTENT_STATUSES as readonly IntentStatus[]).includes(s.status)) {
    return { kind: "refused", refusal: { ok: false, code: "invalid_intent_transition", message: `A ${s.status} payment intent cannot be simulated to ${outcome}.`, status: 409 } };
  }
  // A transfer already under way goes on through the method it was started with.
  const [first, ...rest] = simulatedSteps(outcome, s.status === "processing" ? (s.selected_payment_method ?? method) : method, now);
  // Created or failed: the payer's choice comes first, as on the page.
  return { kind: "steps", method, choose: mayBecome(s.status, "pending"), first: first!, rest };
}

/** The provider's reference of a simulated attempt. */
export function simulatedReference(s: IntentState): string {
  return `sbx-simulated-${s.attempt}`;
}
