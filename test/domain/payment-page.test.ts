import { describe, expect, it } from "vitest";
import type { IntentStatus, PaymentMethod } from "../../src/domain/payment-intent";
import { isClosed, pageState, sandboxScreenApplies, type PageFacts } from "../../src/domain/payment-page";

/** The state the payer's page shows, from the link's and its intent's projected states (no storage). */

const NOW = Date.parse("2026-03-31T12:00:00Z");
const PAST = "2026-03-31T11:59:59Z";
const FUTURE = "2026-04-30T12:00:00Z";

function facts(link: Partial<PageFacts["link"]>, intent: { status: IntentStatus; method?: PaymentMethod | null }): PageFacts {
  return {
    link: { status: "active", livemode: false, expiresAt: FUTURE, type: "standard", ...link },
    intent: { method: null, ...intent },
  };
}

describe("pageState", () => {
  it.each([
    ["a new link", facts({}, { status: "created" }), "open"],
    ["a method chosen, not yet authorized", facts({}, { status: "pending", method: "card" }), "open"],
    ["a link without an expiry", facts({ expiresAt: null }, { status: "created" }), "open"],
    ["a failed attempt, still payable", facts({}, { status: "failed" }), "failed"],
    ["money on its way", facts({}, { status: "processing" }), "processing"],
    ["money on its way past the link's expiry (it still lands)", facts({ expiresAt: PAST }, { status: "processing" }), "processing"],
    ["money received", facts({}, { status: "succeeded" }), "succeeded"],
    ["received then partly refunded", facts({}, { status: "partially_refunded" }), "succeeded"],
    ["received then refunded", facts({}, { status: "refunded" }), "succeeded"],
    ["a completed link whose intent projection lags", facts({ status: "completed" }, { status: "processing" }), "succeeded"],
    ["received on a link that then expired", facts({ status: "expired" }, { status: "succeeded" }), "succeeded"],
    ["an expired link", facts({ status: "expired" }, { status: "created" }), "expired"],
    ["a canceled intent", facts({}, { status: "canceled" }), "expired"],
    ["past expires_at before the expiry ran", facts({ expiresAt: PAST }, { status: "created" }), "expired"],
    ["a failed attempt past expires_at", facts({ expiresAt: PAST }, { status: "failed" }), "expired"],
    ["a revoked link", facts({ status: "revoked" }, { status: "canceled" }), "revoked"],
    ["revoked wins over anything the intent says", facts({ status: "revoked" }, { status: "succeeded" }), "revoked"],
    ["a hold authorized (its link completed at authorization)", facts({ type: "preauth", status: "completed" }, { status: "requires_capture", method: "card" }), "authorized"],
    ["a hold authorized past the link's expiry (the hold outlives it)", facts({ type: "preauth", status: "completed", expiresAt: PAST }, { status: "requires_capture", method: "card" }), "authorized"],
    ["a hold captured", facts({ type: "preauth", status: "completed" }, { status: "succeeded", method: "card" }), "succeeded"],
    ["a captured hold then refunded", facts({ type: "preauth", status: "completed" }, { status: "refunded", method: "card" }), "succeeded"],
    ["a hold released or lapsed", facts({ type: "preauth", status: "completed" }, { status: "canceled", method: "card" }), "released"],
    ["a hold link revoked before any authorization", facts({ type: "preauth", status: "revoked" }, { status: "canceled" }), "revoked"],
    ["a hold link expired before any authorization", facts({ type: "preauth", status: "expired" }, { status: "canceled" }), "expired"],
  ] as const)("%s → %s", (_label, p, expected) => {
    expect(pageState(p, NOW)).toBe(expected);
  });

  it("expires exactly at expires_at", () => {
    const p = facts({ expiresAt: "2026-03-31T12:00:00Z" }, { status: "created" });
    expect(pageState(p, NOW - 1)).toBe("open");
    expect(pageState(p, NOW)).toBe("expired");
  });

  it("closes (410) only expired and revoked links", () => {
    expect(["open", "failed", "processing", "authorized", "succeeded", "released", "expired", "revoked"].filter((s) => isClosed(s as never))).toEqual(["expired", "revoked"]);
  });
});

describe("sandboxScreenApplies", () => {
  const pending = (method: PaymentMethod, link: Partial<PageFacts["link"]> = {}) => facts(link, { status: "pending", method });

  it("applies to a test-mode link whose pending attempt uses that method", () => {
    expect(sandboxScreenApplies(pending("sepa_credit"), "sepa_credit", NOW)).toBe(true);
    expect(sandboxScreenApplies(pending("card"), "card", NOW)).toBe(true);
  });

  it.each([
    ["another method", pending("card"), "sepa_credit"],
    ["live mode", pending("card", { livemode: true }), "card"],
    ["no method chosen yet", facts({}, { status: "created" }), "card"],
    ["the attempt already submitted", facts({}, { status: "processing", method: "card" }), "card"],
    ["a failed attempt", facts({}, { status: "failed", method: "card" }), "card"],
    ["a link past its expiry", pending("card", { expiresAt: PAST }), "card"],
    ["a revoked link", pending("card", { status: "revoked" }), "card"],
  ] as const)("not to %s", (_label, p, method) => {
    expect(sandboxScreenApplies(p, method, NOW)).toBe(false);
  });
});
