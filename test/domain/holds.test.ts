import { describe, expect, it } from "vitest";
import {
  applyProviderStep,
  cancelByPartner,
  captureIntent,
  expireHold,
  expireIntent,
  HOLD_DURATION_MS,
  INTENT_STATUSES,
  type IntentState,
} from "../../src/domain/payment-intent";
import { requestRefund } from "../../src/domain/refund";
import { intent, outcome } from "./intent-fixture";

/**
 * Card holds' decisions (issue 13), as pure functions over every status: authorize, capture,
 * release by the partner, release at capture_before. test/payments/holds.test.ts drives the same
 * rules through the API and the object.
 */

const NOW = Date.parse("2026-03-14T10:00:00.000Z");
const AT = new Date(NOW).toISOString();
const CAPTURE_BEFORE = new Date(NOW + HOLD_DURATION_MS).toISOString();

/** An authorized card hold (a request's, 200 €), with `patch` applied. */
function hold(patch: Partial<IntentState> = {}): IntentState {
  return intent({
    invoice_id: null,
    amount: 20000,
    status: "requires_capture",
    capture_method: "manual",
    amount_authorized: 20000,
    capture_before: CAPTURE_BEFORE,
    cancellation_reason: null,
    allowed_methods: ["card"],
    selected_payment_method: "card",
    provider: "sandbox_card",
    provider_reference: "sbx-1",
    provider_status: "authorized ••••4242",
    attempt: 1,
    version: 4,
    created_at: "2026-03-14T09:00:00.000Z",
    updated_at: "2026-03-14T09:00:00.000Z",
    ...patch,
  });
}

describe("authorization", () => {
  it("a manual-capture intent's 'succeeded' step authorizes: requires_capture for the whole amount until now + 6 d 12 h, link completed, nothing received", () => {
    const s = hold({ status: "processing", amount_authorized: null, capture_before: null, version: 3 });
    const change = applyProviderStep(s, { afterMs: 0, providerStatus: "captured ••••4242", intentStatus: "succeeded" }, NOW);
    expect(change).toEqual({
      next: { ...s, status: "requires_capture", amount_authorized: 20000, capture_before: CAPTURE_BEFORE, provider_status: "authorized ••••4242", version: 4, updated_at: AT },
      action: "status_changed",
      linkStatus: "completed",
    });
    expect(HOLD_DURATION_MS).toBe(561_600_000);
  });

  it("an automatic intent still succeeds at once; a declined hold fails like any card payment", () => {
    const auto = hold({ status: "processing", capture_method: "automatic", amount_authorized: null, capture_before: null });
    expect(applyProviderStep(auto, { afterMs: 0, providerStatus: "captured", intentStatus: "succeeded" }, NOW).next).toMatchObject({ status: "succeeded", amount_received: 20000, amount_authorized: null });
    const declined = applyProviderStep(hold({ status: "processing", amount_authorized: null }), { afterMs: 0, providerStatus: "declined", intentStatus: "failed", failureCode: "card_declined" }, NOW);
    expect(declined.next).toMatchObject({ status: "failed", failure_code: "card_declined", amount_authorized: null });
    expect(declined.linkStatus).toBeUndefined();
  });
});

describe("capture", () => {
  it.each(INTENT_STATUSES.filter((s) => s !== "requires_capture"))("refuses a %s intent (409 payment_intent_not_capturable)", (status) => {
    expect(outcome(() => captureIntent(hold({ status }), {}, NOW))).toBe("payment_intent_not_capturable/conflict");
  });

  it("takes at most the authorized amount, by default all of it; more is 'Amount too high' (422); zero or fractions are invalid", () => {
    expect(captureIntent(hold(), { amount: 15000 }, NOW)).toEqual({
      next: { ...hold(), status: "succeeded", amount_received: 15000, completed_at: AT, provider_status: "captured ••••4242", version: 5, updated_at: AT },
      action: "captured",
    });
    expect(captureIntent(hold(), {}, NOW).next.amount_received).toBe(20000);
    expect(captureIntent(hold(), { amount: 20000 }, NOW).next.amount_received).toBe(20000);
    expect(outcome(() => captureIntent(hold(), { amount: 20001 }, NOW))).toBe("amount_exceeds_authorized/business_rule");
    for (const amount of [0, -1, 1.5]) expect(outcome(() => captureIntent(hold(), { amount }, NOW))).toBe("invalid_amount/invalid_request");
  });
});

describe("release", () => {
  it.each(INTENT_STATUSES)("the partner's cancel of a %s intent", (status) => {
    const s = hold({ status });
    const result = outcome(() => cancelByPartner(s, NOW));
    if (status === "requires_capture") {
      expect(result).toEqual({ next: { ...s, status: "canceled", cancellation_reason: "requested", version: 5, updated_at: AT }, action: "hold_released" });
    } else if (status === "created" || status === "pending" || status === "failed") {
      expect(result).toEqual({ next: { ...s, status: "canceled", cancellation_reason: "requested", version: 5, updated_at: AT }, action: "status_changed", linkStatus: "revoked" });
    } else if (status === "canceled") {
      expect(result).toBeNull();
    } else {
      expect(result).toBe(status === "processing" ? "payment_processing/conflict" : "payment_completed/conflict");
    }
  });

  it("at capture_before, not a millisecond earlier, and only an uncaptured hold", () => {
    const due = Date.parse(CAPTURE_BEFORE);
    expect(expireHold(hold(), due - 1)).toBeNull();
    expect(expireHold(hold(), due)).toEqual({
      next: { ...hold(), status: "canceled", cancellation_reason: "hold_expired", version: 5, updated_at: CAPTURE_BEFORE },
      action: "hold_expired",
    });
    for (const status of INTENT_STATUSES.filter((x) => x !== "requires_capture")) expect(expireHold(hold({ status }), due + 1)).toBeNull();
  });

  it("the link's expiry passes an authorized hold by", () => {
    expect(expireIntent(hold(), NOW + HOLD_DURATION_MS * 2)).toEqual({ kind: "none" });
  });
});

describe("refunds of a hold", () => {
  const refund = { refundId: "re-1", reason: null };
  it("an uncaptured hold refunds nothing (409); a captured one at most what was captured", () => {
    expect(outcome(() => requestRefund(hold(), [], refund))).toBe("payment_intent_not_refundable/conflict");
    const captured = captureIntent(hold(), { amount: 15000 }, NOW).next;
    expect(outcome(() => requestRefund(captured, [], { ...refund, amount: 15001 }))).toBe("amount_exceeds_refundable/business_rule");
    expect(requestRefund(captured, [], refund)).toEqual({ kind: "new", amount: 15000, type: "repayment", creditBasis: null });
  });

  it("a payment without an invoice cannot be a price reduction (422 credit_note_requires_invoice)", () => {
    const paid = captureIntent(hold(), {}, NOW).next;
    expect(outcome(() => requestRefund(paid, [], { ...refund, type: "price_reduction", invoice: null }))).toBe("credit_note_requires_invoice/business_rule");
  });
});
