import { describe, expect, it } from "vitest";
import {
  applyProviderStep,
  cancelIntent,
  choosePaymentMethod,
  expireIntent,
  EXPIRY_RECHECK_MS,
  INTENT_STATUSES,
  providerStepDue,
  startProviderSteps,
  type IntentStatus,
  type ProviderStep,
} from "../../src/domain/payment-intent";
import { intent, outcome } from "./intent-fixture";
import { planSimulation, simulatedMethod, simulatedProvider, simulatedSteps } from "../../src/providers/sandbox-simulation";

/**
 * The PaymentIntent object's decisions, as pure functions: no object, no storage, no D1. The
 * object persists what they return (test/payments drives the same rules through the API).
 */

const NOW = Date.parse("2025-03-14T10:00:00.000Z");
const AT = new Date(NOW).toISOString();


/** Why a command cannot act on an intent in each status that is not its own. */
const REFUSED_BY_STATUS: Partial<Record<IntentStatus, string>> = {
  processing: "payment_processing/conflict",
  requires_capture: "payment_authorized/conflict",
  succeeded: "payment_completed/conflict",
  partially_refunded: "payment_completed/conflict",
  refunded: "payment_completed/conflict",
  canceled: "payment_intent_canceled/conflict",
};

const initiated: ProviderStep = { afterMs: 0, aiiaStatus: "initiated", providerStatus: "initiated", intentStatus: "processing", transactionId: "aiia-tx-1" };
const authorized: ProviderStep = { afterMs: 1000, aiiaStatus: "authorized", providerStatus: "authorized", intentStatus: "processing" };
const settled: ProviderStep = { afterMs: 2500, aiiaStatus: "settled", providerStatus: "settled", intentStatus: "succeeded" };
const rejected: ProviderStep = { afterMs: 2500, aiiaStatus: "rejected", providerStatus: "rejected", intentStatus: "failed", failureCode: "insufficient_funds", failureMessage: "Fonds insuffisants." };

describe("choosing a payment method", () => {
  it.each(INTENT_STATUSES.filter((s) => s !== "pending"))("from %s", (status) => {
    const s = intent({ status, version: 3, attempt: 1, failure_code: "insufficient_funds", failure_message: "x", aiia_status: "rejected", provider: "sandbox_bank" });
    const result = outcome(() => choosePaymentMethod(s, { method: "card", version: 3 }, NOW));
    if (status === "created" || status === "failed") {
      expect(result).toEqual({
        next: {
          ...s,
          status: "pending",
          selected_payment_method: "card",
          attempt: 2,
          failure_code: null,
          failure_message: null,
          aiia_status: null,
          aiia_transaction_id: null,
          provider_status: null,
          provider: null,
          provider_reference: null,
          version: 4,
          updated_at: AT,
        },
        action: "status_changed",
      });
    } else {
      expect(result).toBe(REFUSED_BY_STATUS[status]);
    }
  });

  it("while pending, another method only changes the method; the same one changes nothing", () => {
    const s = intent({ status: "pending", selected_payment_method: "sepa_credit", version: 2, attempt: 1 });
    expect(choosePaymentMethod(s, { method: "sepa_credit", version: 2 }, NOW)).toBeNull();
    expect(choosePaymentMethod(s, { method: "card", version: 2 }, NOW)).toEqual({
      next: { ...s, selected_payment_method: "card", version: 3, updated_at: AT },
      action: "method_changed",
    });
  });

  it("refuses a method the link does not take (invalid input) before a stale form", () => {
    const s = intent({ allowed_methods: ["sepa_credit"], version: 2 });
    expect(outcome(() => choosePaymentMethod(s, { method: "card", version: 1 }, NOW))).toBe("payment_method_not_allowed/invalid_request");
    expect(outcome(() => choosePaymentMethod(s, { method: "sepa_credit", version: 1 }, NOW))).toBe("stale_form/conflict");
  });
});

describe("the provider's steps", () => {
  const pending = intent({ status: "pending", selected_payment_method: "sepa_credit", version: 2, attempt: 1 });

  it("the first applies now, the later ones are due at their time, for this attempt", () => {
    const { change, later } = startProviderSteps(pending, { version: 2, provider: "sandbox_bank", reference: "sbx-consent-1", steps: [initiated, authorized, settled] }, NOW);
    expect(change).toEqual({
      next: {
        ...pending,
        provider: "sandbox_bank",
        provider_reference: "sbx-consent-1",
        status: "processing",
        aiia_status: "initiated",
        aiia_transaction_id: "aiia-tx-1",
        provider_status: "initiated",
        version: 3,
        updated_at: AT,
      },
      action: "status_changed",
    });
    expect(later).toEqual([
      { dueAt: NOW + 1000, attempt: 1, step: authorized },
      { dueAt: NOW + 2500, attempt: 1, step: settled },
    ]);
  });

  it("an authorization submitted twice, or for an intent not pending, is stale; no step is a business rule", () => {
    const input = { provider: "sandbox_bank", reference: "r", steps: [initiated] };
    expect(outcome(() => startProviderSteps(pending, { ...input, version: 1 }, NOW))).toBe("stale_form/conflict");
    for (const status of INTENT_STATUSES.filter((s) => s !== "pending")) {
      expect(outcome(() => startProviderSteps({ ...pending, status }, { ...input, version: 2 }, NOW))).toBe("stale_form/conflict");
    }
    expect(outcome(() => startProviderSteps(pending, { ...input, version: 2, steps: [] }, NOW))).toBe("no_provider_step/business_rule");
  });

  it("while processing: a further status is a provider update; settled succeeds and completes the link; rejected fails", () => {
    const processing = intent({ status: "processing", selected_payment_method: "sepa_credit", aiia_status: "initiated", aiia_transaction_id: "aiia-tx-1", version: 3, attempt: 1 });
    expect(applyProviderStep(processing, authorized, NOW)).toEqual({
      next: { ...processing, aiia_status: "authorized", provider_status: "authorized", version: 4, updated_at: AT },
      action: "provider_update",
    });
    expect(applyProviderStep(processing, settled, NOW)).toEqual({
      next: { ...processing, status: "succeeded", aiia_status: "settled", provider_status: "settled", amount_received: 42200, completed_at: AT, version: 4, updated_at: AT },
      action: "status_changed",
      linkStatus: "completed",
    });
    expect(applyProviderStep(processing, rejected, NOW)).toEqual({
      next: { ...processing, status: "failed", aiia_status: "rejected", provider_status: "rejected", failure_code: "insufficient_funds", failure_message: "Fonds insuffisants.", version: 4, updated_at: AT },
      action: "status_changed",
    });
    expect(applyProviderStep(processing, { afterMs: 0, providerStatus: "x", intentStatus: "failed" }, NOW).next).toMatchObject({ failure_code: "payment_failed", failure_message: null });
  });

  it("a card step leaves the open-banking fields alone, transaction id included", () => {
    const s = intent({ status: "pending", selected_payment_method: "card", version: 2 });
    const { next } = applyProviderStep(s, { afterMs: 0, providerStatus: "authorized ••••4242", intentStatus: "processing", transactionId: "card-tx-1" }, NOW);
    expect(next).toMatchObject({ status: "processing", provider_status: "authorized ••••4242", aiia_status: null, aiia_transaction_id: null });
  });

  it("a step that comes due applies only to the attempt that armed it, still processing", () => {
    const processing = intent({ status: "processing", version: 3, attempt: 2 });
    expect(providerStepDue(processing, { attempt: 1, step: settled }, NOW)).toBeNull();
    expect(providerStepDue(processing, { attempt: 2, step: settled }, NOW)?.next.status).toBe("succeeded");
    for (const status of INTENT_STATUSES.filter((s) => s !== "processing")) {
      expect(providerStepDue({ ...processing, status }, { attempt: 2, step: settled }, NOW)).toBeNull();
    }
  });
});

describe("cancel and expiry", () => {
  it.each(INTENT_STATUSES)("revoking a %s intent", (status) => {
    const s = intent({ status, version: 5 });
    const result = outcome(() => cancelIntent(s, "revoked", NOW));
    if (status === "canceled") expect(result).toBeNull();
    else if (status === "created" || status === "pending" || status === "failed") {
      expect(result).toEqual({ next: { ...s, status: "canceled", cancellation_reason: "link_revoked", version: 6, updated_at: AT }, action: "status_changed", linkStatus: "revoked" });
    } else expect(result).toBe(REFUSED_BY_STATUS[status]);
  });

  it.each(INTENT_STATUSES)("the link's expiry coming due on a %s intent", (status) => {
    const s = intent({ status, version: 5 });
    const result = expireIntent(s, NOW);
    if (status === "created" || status === "pending" || status === "failed") {
      expect(result).toEqual({
        kind: "cancel",
        change: { next: { ...s, status: "canceled", cancellation_reason: "link_expired", version: 6, updated_at: AT }, action: "status_changed", linkStatus: "expired" },
      });
    } else if (status === "processing") {
      // The transfer decides: expiry is looked at again once it may have settled.
      expect(result).toEqual({ kind: "recheck", at: NOW + EXPIRY_RECHECK_MS });
    } else {
      expect(result).toEqual({ kind: "none" });
    }
  });
});

describe("sandbox simulation (providers/sandbox-simulation)", () => {
  it("goes through the outcome's method: the payer's choice, else the link's first", () => {
    expect(simulatedMethod("card_declined", intent())).toBe("card");
    expect(simulatedMethod("account_blocked", intent({ selected_payment_method: "card" }))).toBe("sepa_credit");
    expect(simulatedMethod("succeeded", intent({ allowed_methods: ["card", "sepa_credit"] }))).toBe("card");
    expect(simulatedMethod("insufficient_funds", intent({ selected_payment_method: "sepa_credit", allowed_methods: ["card", "sepa_credit"] }))).toBe("sepa_credit");
    expect([simulatedProvider("card"), simulatedProvider("sepa_credit"), simulatedProvider(null)]).toEqual(["sandbox_card", "sandbox_bank", "sandbox_bank"]);
  });

  it("plans from the intent as it is: choose first when the payer has not, refuse what cannot happen", () => {
    expect(planSimulation("expired", intent({ status: "processing" }), NOW)).toEqual({ kind: "expire" });
    expect(planSimulation("card_declined", intent({ allowed_methods: ["sepa_credit"], status: "succeeded" }), NOW)).toMatchObject({ kind: "refused", refusal: { code: "payment_method_not_allowed", status: 400 } });
    for (const status of ["succeeded", "partially_refunded", "refunded", "canceled"] as const) {
      expect(planSimulation("succeeded", intent({ status }), NOW)).toMatchObject({ kind: "refused", refusal: { code: "invalid_intent_transition", status: 409 } });
    }
    for (const status of ["created", "failed"] as const) expect(planSimulation("succeeded", intent({ status }), NOW)).toMatchObject({ kind: "steps", method: "sepa_credit", choose: true });
    expect(planSimulation("succeeded", intent({ status: "pending", selected_payment_method: "card" }), NOW)).toMatchObject({ kind: "steps", method: "card", choose: false, rest: [{ intentStatus: "succeeded" }] });
    // A transfer under way goes on through its own method, whatever the outcome names.
    const processing = planSimulation("account_blocked", intent({ status: "processing", selected_payment_method: "card" }), NOW);
    expect(processing).toMatchObject({ kind: "steps", method: "sepa_credit", choose: false, first: { providerStatus: "declined", failureCode: "account_blocked" }, rest: [] });
  });

  it.each([
    ["succeeded", "sepa_credit", ["processing", "processing", "succeeded"]],
    ["insufficient_funds", "sepa_credit", ["processing", "failed"]],
    ["account_blocked", "sepa_credit", ["processing", "failed"]],
    ["succeeded", "card", ["processing", "succeeded"]],
    ["insufficient_funds", "card", ["failed"]],
    ["card_declined", "card", ["failed"]],
  ] as const)("%s through %s: every step due now, ending as the outcome says", (o, method, statuses) => {
    const steps = simulatedSteps(o, method, NOW);
    expect(steps.map((x) => x.intentStatus)).toEqual(statuses);
    expect(steps.every((x) => x.afterMs === 0)).toBe(true);
    if (o !== "succeeded") expect(steps.at(-1)?.failureCode).toBe(o);
  });
});
