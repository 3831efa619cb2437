import { describe, expect, it } from "vitest";
import { INTENT_STATUSES, moneyReceived, TransitionRefused, type IntentState } from "../../src/domain/payment-intent";
import { creditNoteIdOfRefund } from "../../src/domain/credit-note";
import { intentIdRange, newRefund, presentRefund, refundable, refundedStatus, refundIdNaming, requestRefund, settleRefund, type RefundInvoice, type RefundState } from "../../src/domain/refund";
import { isId, newId } from "../../src/lib/ids";

/**
 * Refund decisions, as pure functions: the balance check, a refund asked again under the same id,
 * and settlement. The PaymentIntent object runs them in one storage transaction
 * (test/payments/refunds.test.ts drives them through the API, 100 at once).
 */

const NOW = Date.parse("2025-03-14T10:00:00.000Z");
const AT = new Date(NOW).toISOString();

function paid(patch: Partial<IntentState> = {}): IntentState {
  return {
    id: "pi-1",
    partner_id: "ptn-1",
    livemode: false,
    organization_id: "org-1",
    invoice_id: "inv-1",
    payment_link_id: "plink-1",
    amount: 4220,
    currency: "EUR",
    status: "succeeded",
    allowed_methods: ["sepa_credit"],
    selected_payment_method: "sepa_credit",
    provider: "sandbox_bank",
    provider_reference: "r",
    aiia_status: "settled",
    aiia_transaction_id: "aiia-tx-1",
    provider_status: "settled",
    amount_received: 4220,
    refunded_amount: 0,
    failure_code: null,
    failure_message: null,
    completed_at: "2025-03-14T09:30:00.000Z",
    expires_at: null,
    attempt: 1,
    version: 5,
    created_at: "2025-03-14T09:00:00.000Z",
    updated_at: "2025-03-14T09:30:00.000Z",
    ...patch,
  };
}

function refund(id: string, amount: number, status: RefundState["status"] = "pending", reason: string | null = null): RefundState {
  return { ...newRefund(paid(), { id, amount, reason, pendingReason: null }, NOW - 1000), status };
}

function refusal(decide: () => unknown): string | null {
  try {
    decide();
    return null;
  } catch (err) {
    if (err instanceof TransitionRefused) return `${err.code}/${err.kind}: ${err.message}`;
    throw err;
  }
}

describe("the balance", () => {
  it("what remains refundable is received minus every refund not failed (pending ones count)", () => {
    expect(refundable(4220, [])).toBe(4220);
    expect(refundable(4220, [refund("a", 1000), refund("b", 2000, "succeeded"), refund("c", 500, "failed")])).toBe(1220);
  });

  it("the intent's status follows what succeeded", () => {
    expect([refundedStatus(4220, 0), refundedStatus(4220, 1), refundedStatus(4220, 4219), refundedStatus(4220, 4220)]).toEqual(["succeeded", "partially_refunded", "partially_refunded", "refunded"]);
  });
});

describe("asking for a refund", () => {
  const ask = (s: IntentState, refunds: RefundState[], amount?: number, refundId = "re-new", reason: string | null = null) =>
    requestRefund(s, refunds, { refundId, amount, reason });

  it.each(INTENT_STATUSES)("of a %s intent", (status) => {
    const s = paid({ status });
    // Only once the money was received; a fully refunded intent is then the balance rule's (nothing remains).
    if (moneyReceived(status)) expect(ask(s, [], 100)).toEqual({ kind: "new", amount: 100, type: "repayment", creditBasis: null });
    else expect(refusal(() => ask(s, [], 100))).toBe(`payment_intent_not_refundable/conflict: Only a succeeded payment can be refunded; this one is ${status}.`);
  });

  it("up to what remains, pending refunds included; no amount is all that remains", () => {
    const refunds = [refund("a", 3000), refund("b", 1000, "failed")];
    expect(ask(paid(), refunds, 1220)).toEqual({ kind: "new", amount: 1220, type: "repayment", creditBasis: null });
    expect(ask(paid(), refunds)).toEqual({ kind: "new", amount: 1220, type: "repayment", creditBasis: null });
    expect(refusal(() => ask(paid(), refunds, 1221))).toBe("amount_exceeds_refundable/business_rule: The refund asks 1221 cents; only 1220 cents of this payment remain refundable (of 4220 received).");
    expect(refusal(() => ask(paid(), refunds, 0))).toBe("amount_exceeds_refundable/business_rule: The refund asks 0 cents; only 1220 cents of this payment remain refundable (of 4220 received).");
    expect(refusal(() => ask(paid(), [refund("a", 4220, "succeeded")]))).toBe(
      "amount_exceeds_refundable/business_rule: This payment has nothing left to refund: all 4220 cents received are refunded or being refunded (a pending refund counts until it settles or fails).",
    );
  });

  it("asked again under the same id: the refund it made, if the amount and reason are the same", () => {
    const made = { ...refund("re-1", 1000, "pending", "Geste commercial") };
    const refunds = [made, refund("re-2", 3220)];
    expect(ask(paid(), refunds, 1000, "re-1", "Geste commercial")).toEqual({ kind: "existing", refund: made });
    // No amount: what remained when it was made (everything but the others).
    expect(ask(paid(), [{ ...made, amount: 1000 }, refund("re-2", 3220)], undefined, "re-1", "Geste commercial")).toEqual({ kind: "existing", refund: made });
    expect(refusal(() => ask(paid(), refunds, 999, "re-1", "Geste commercial"))).toMatch(/^idempotency_key_reused\/business_rule:/);
    expect(refusal(() => ask(paid(), refunds, 1000, "re-1", null))).toMatch(/^idempotency_key_reused\/business_rule:/);
    // Even once the intent is fully refunded: the same request still finds its refund.
    expect(ask(paid({ status: "refunded" }), refunds, 1000, "re-1", "Geste commercial").kind).toBe("existing");
  });

  it("a new refund is pending, version 1, with why it is held when nothing can move the money", () => {
    expect(newRefund(paid(), { id: "re-1", amount: 500, reason: "x", pendingReason: "provider_unavailable" }, NOW)).toEqual({
      id: "re-1",
      payment_intent_id: "pi-1",
      amount: 500,
      currency: "EUR",
      status: "pending",
      reason: "x",
      failure_code: null,
      pending_reason: "provider_unavailable",
      type: "repayment",
      credit_basis: null,
      completed_at: null,
      version: 1,
      created_at: AT,
      updated_at: AT,
    });
  });
});

describe("price reduction or repayment (issue 12)", () => {
  const INVOICE: RefundInvoice = {
    status: "paid",
    invoice_number: "FAC-2026-00001",
    invoice_issue_date: "2026-03-01",
    tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 4000, tax_amount: 220 }],
  };
  const basis = { invoice_number: "FAC-2026-00001", invoice_issue_date: "2026-03-01", tax_breakdown: INVOICE.tax_breakdown };

  it("the type is the one asked, else the default over the invoice the caller read; a price reduction keeps what its credit note cites", () => {
    expect(requestRefund(paid(), [], { refundId: "re-1", amount: 1000, reason: "Remise", invoice: INVOICE })).toEqual({ kind: "new", amount: 1000, type: "price_reduction", creditBasis: basis });
    expect(requestRefund(paid(), [], { refundId: "re-1", amount: 1000, reason: null, invoice: INVOICE })).toMatchObject({ type: "repayment", creditBasis: null });
    expect(requestRefund(paid(), [], { refundId: "re-1", amount: 1000, reason: "Remise", invoice: { ...INVOICE, status: "partially_paid" } })).toMatchObject({ type: "repayment" });
    expect(requestRefund(paid(), [], { refundId: "re-1", amount: 1000, reason: "Remise", type: "repayment", invoice: null })).toMatchObject({ type: "repayment", creditBasis: null });
    expect(requestRefund(paid(), [], { refundId: "re-1", amount: 1000, reason: null, type: "price_reduction", invoice: { ...INVOICE, status: "partially_paid" } })).toMatchObject({
      type: "price_reduction",
      creditBasis: basis,
    });
  });

  it("asked again under the same id with another explicit type → refused; without a type → the refund it made", () => {
    const made = newRefund(paid(), { id: "re-1", amount: 1000, reason: "Remise", pendingReason: null, type: "price_reduction", creditBasis: basis }, NOW);
    expect(requestRefund(paid(), [made], { refundId: "re-1", amount: 1000, reason: "Remise", invoice: INVOICE })).toEqual({ kind: "existing", refund: made });
    expect(requestRefund(paid(), [made], { refundId: "re-1", amount: 1000, reason: "Remise", type: "price_reduction", invoice: INVOICE })).toEqual({ kind: "existing", refund: made });
    expect(refusal(() => requestRefund(paid(), [made], { refundId: "re-1", amount: 1000, reason: "Remise", type: "repayment" }))).toMatch(/^idempotency_key_reused\/business_rule:/);
  });

  it("a price reduction that succeeds gives its credit note's lines; one that fails, none; the refund names its credit note once succeeded", () => {
    const r = newRefund(paid(), { id: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", amount: 1000, reason: "Remise", pendingReason: null, type: "price_reduction", creditBasis: basis }, NOW);
    expect(presentRefund(r, false)).toMatchObject({ type: "price_reduction", credit_note_id: null });
    const ok = settleRefund(paid(), r, "succeeded", NOW)!;
    expect(ok.credited).toEqual({
      line_items: [{ description: "Réduction de prix — Remise", quantity: 1, unit: "C62", unit_price: 948, vat_rate: 5.5, net_amount: 948 }],
      subtotal_amount: 948,
      tax_amount: 52,
      total_amount: 1000,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 948, tax_amount: 52 }],
    });
    expect(presentRefund(ok.refund, false)).toMatchObject({ status: "succeeded", type: "price_reduction", credit_note_id: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" });
    const failed = settleRefund(paid(), r, "failed", NOW)!;
    expect(failed.credited).toBeNull();
    expect(presentRefund(failed.refund, false)).toMatchObject({ status: "failed", credit_note_id: null });
    // A refund stored before types existed reads as a repayment.
    const { type: _t, credit_basis: _c, ...old } = refund("re-old", 100, "succeeded");
    expect(presentRefund(old, false)).toMatchObject({ type: "repayment", credit_note_id: null });
  });
});

describe("settling a refund", () => {
  it("succeeded: the intent's refunded amount and status follow, and the ledger's", () => {
    const s = paid({ refunded_amount: 1000, status: "partially_refunded", version: 6 });
    const r = refund("re-2", 2000);
    expect(settleRefund(s, r, "succeeded", NOW)).toEqual({
      refund: { ...r, status: "succeeded", failure_code: null, pending_reason: null, completed_at: AT, version: 2, updated_at: AT },
      next: { ...s, refunded_amount: 3000, status: "partially_refunded", version: 7, updated_at: AT },
      ledgerRefund: { refunded_amount: 3000, status: "partially_refunded" },
      credited: null,
    });
    expect(settleRefund(s, refund("re-3", 3220), "succeeded", NOW)).toMatchObject({ next: { status: "refunded", refunded_amount: 4220 }, ledgerRefund: { refunded_amount: 4220, status: "refunded" } });
  });

  it("failed: the amount is released, the intent does not move", () => {
    const s = paid();
    const r = { ...refund("re-1", 2000), pending_reason: "provider_unavailable" as const };
    expect(settleRefund(s, r, "failed", NOW)).toEqual({
      refund: { ...r, status: "failed", failure_code: "refund_failed", pending_reason: null, completed_at: null, version: 2, updated_at: AT },
      next: s,
      ledgerRefund: null,
      credited: null,
    });
  });

  it("a refund no longer pending settles no more", () => {
    expect(settleRefund(paid(), refund("re-1", 100, "succeeded"), "failed", NOW)).toBeNull();
    expect(settleRefund(paid(), refund("re-1", 100, "failed"), "succeeded", NOW)).toBeNull();
  });
});

describe("a refund id names its payment intent", () => {
  const intent = "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";

  it("keeps the ref-<uuid> shape: the intent's first 64 bits, then the refund's own last 64", () => {
    const id = refundIdNaming(intent, "ref-01a24555-3817-7038-a3fd-d8f65cbf92b4");
    expect(id).toBe("ref-0193a4b2-c7e8-7d1f-a3fd-d8f65cbf92b4");
    expect(isId("refund", id)).toBe(true);
    // Its credit note's id stays a credit note id.
    expect(isId("credit_note", creditNoteIdOfRefund(id))).toBe(true);
  });

  it("two refunds of one intent differ by their own part; the range of intents it names holds its intent and no neighbour", () => {
    const a = refundIdNaming(intent, newId("refund"));
    const b = refundIdNaming(intent, newId("refund"));
    expect(a).not.toBe(b);
    const { from, to } = intentIdRange(a);
    const inRange = (id: string) => id >= from && id < to;
    expect(inRange(intent)).toBe(true);
    expect(inRange("pi-0193a4b2-c7e8-7d1f-0000-000000000000")).toBe(true);
    expect(inRange("pi-0193a4b2-c7e8-7d1e-ffff-ffffffffffff")).toBe(false);
    expect(inRange("pi-0193a4b2-c7e8-7d20-0000-000000000000")).toBe(false);
    expect(intentIdRange(b)).toEqual({ from, to });
  });
});
