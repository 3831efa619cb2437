import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import worker from "../../src/index";
import { addDays, parisToday } from "../../src/domain/dates";
import { HOLD_DURATION_MS } from "../../src/domain/payment-intent";
import { sandboxCard } from "../../src/providers/sandbox-card";
import { call, createPartner, expectOk } from "../helpers/harness";
import { expectInvariantsHold } from "../helpers/invariants";
import {
  d1Intent,
  d1Invoice,
  d1Link,
  eventsOf,
  expectError,
  fireAlarm,
  initialized,
  intentStub,
  intentTransitions,
  ledgerOf,
  makeTimersDue,
  objectStorage,
  PAYER,
  payableWorld,
  rowCounts,
  SEED_TOTAL,
  setObjectClock,
  tenantOf,
  UNKNOWN_INTENT,
  type Api,
} from "./fixtures";
import { refundApi, settleRefundsNow } from "./refund-fixtures";

/**
 * Card holds (issue 13, seed 003 "caution"): a `preauth` link's card is authorized, not charged;
 * the partner captures at most the authorized amount once, or releases the hold; the object's
 * alarm (or the sandbox clock) releases it at capture_before. Through the API as a partner would,
 * reaching into the intent's object only to move its clock.
 */

const CAPTURED = 15_000;

/** Partner calls on one intent (X-Entity-Id). */
function intentApi(a: Api) {
  const headers = { "x-entity-id": a.orgId };
  return {
    capture: (id: string, body?: unknown, extra: Record<string, string> = {}) =>
      call(`/v1/payment_intents/${id}/capture`, { method: "POST", token: a.token, headers: { ...headers, ...extra }, ...(body === undefined ? {} : { body }) }),
    cancel: (id: string) => call(`/v1/payment_intents/${id}/cancel`, { method: "POST", token: a.token, headers }),
  };
}

/** A preauth (card hold) link on the seed invoice of a fresh partner, its object initialized. */
async function holdLink(options: { t?: Awaited<ReturnType<typeof createPartner>>; expiresAt?: string } = {}) {
  const w = await payableWorld(options.t ? { t: options.t } : {});
  const l = await expectOk(
    await w.api.createLink({ invoice_id: w.issued.id, payment_methods: ["card"], type: "preauth", ...(options.expiresAt ? { expires_at: options.expiresAt } : {}) }),
    201,
  );
  await initialized(l.payment_intent_id);
  return { ...w, link: l, pi: l.payment_intent_id as string, intents: intentApi(w.api) };
}

/** …and authorized through the sandbox simulator. */
async function authorizedHold(options: Parameters<typeof holdLink>[0] = {}) {
  const w = await holdLink(options);
  const held = await expectOk(await w.api.simulate(w.pi, "succeeded"));
  return { ...w, held };
}

async function auditActions(partnerId: string, resourceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT action FROM audit_logs WHERE partner_id = ? AND resource_id = ? ORDER BY created_at, id")
    .bind(partnerId, resourceId)
    .all<{ action: string }>();
  return results.map((r) => r.action);
}

describe("a card hold (preauth link)", () => {
  it("authorized via simulate waits in requires_capture: amount_authorized, capture_before = authorization + 6 d 12 h, link completed, a pending ledger entry, invoice unchanged", async () => {
    const { t, api: a, issued, link: l, pi, held } = await authorizedHold();

    expect(held).toMatchObject({
      id: pi,
      status: "requires_capture",
      capture_method: "manual",
      amount: SEED_TOTAL,
      amount_authorized: SEED_TOTAL,
      amount_received: 0,
      cancellation_reason: null,
      selected_payment_method: "card",
      completed_at: null,
    });
    // The authorization's own status: nothing was captured at the acquirer.
    expect(held.provider_status).toBe("authorized");
    expect(Date.parse(held.capture_before) - Date.parse(held.updated_at)).toBe(HOLD_DURATION_MS);
    expect(HOLD_DURATION_MS).toBe((6 * 24 + 12) * 3600 * 1000);
    expect((await expectOk(await a.getIntent(pi))).status).toBe("requires_capture");

    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });
    // The ledger shows the hold as a pending payment (seed 002): no money received, the invoice untouched.
    expect(await ledgerOf(issued.id)).toMatchObject([{ payment_intent_id: pi, amount: SEED_TOTAL, method: "card", status: "pending" }]);
    expect((await expectOk(await a.listPayments())).data).toMatchObject([{ payment_intent_id: pi, status: "pending", source: "online" }]);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→requires_capture"]);
    const authorized = (await eventsOf(t.partnerId, "payment_intent.status_changed")).at(-1)!;
    expect(authorized.data.payment_intent).toMatchObject({ status: "requires_capture", amount_authorized: SEED_TOTAL, capture_before: held.capture_before });

    // The object's alarm will release it at capture_before.
    const stored = await objectStorage(pi);
    expect(stored.timers).toContainEqual({ due_at: Date.parse(held.capture_before), kind: "hold_expire" });
    expect(stored.alarm).toBe(Date.parse(held.capture_before));
  });

  it("captured partially: succeeded with amount_received = the captured amount, ONE payment of that amount, the invoice's amount paid updated; a second capture is 409", async () => {
    const { t, api: a, issued, link: l, pi, held, intents } = await authorizedHold();

    const captured = await expectOk(await intents.capture(pi, { amount: CAPTURED }));
    expect(captured).toMatchObject({ id: pi, status: "succeeded", amount_authorized: SEED_TOTAL, amount_received: CAPTURED, capture_before: held.capture_before, provider_status: "captured" });
    expect(captured.completed_at).not.toBeNull();
    expect(await expectOk(await a.getIntent(pi))).toEqual(captured);

    const ledger = await ledgerOf(issued.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ payment_intent_id: pi, payment_link_id: l.id, amount: CAPTURED, refunded_amount: 0, method: "card", status: "completed", paid_at: captured.completed_at });
    expect((await expectOk(await a.listPayments())).data).toMatchObject([{ amount: CAPTURED, invoice_id: issued.id }]);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "partially_paid", amount_paid: CAPTURED, amount_due: SEED_TOTAL - CAPTURED });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→requires_capture", "requires_capture→succeeded"]);
    expect(await auditActions(t.partnerId, pi)).toContain("captured");

    // Once: the hold is gone, whatever amount is asked.
    const before = await rowCounts(t.partnerId);
    expectError(await intents.capture(pi, { amount: 100 }), 409, { code: "payment_intent_not_capturable" });
    expectError(await intents.capture(pi), 409, { code: "payment_intent_not_capturable" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await ledgerOf(issued.id)).toHaveLength(1);

    // The hold's timer, fired later, releases nothing.
    await setObjectClock(pi, Date.parse(held.capture_before) + 1);
    await fireAlarm(pi);
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "succeeded", amount_received: CAPTURED, cancellation_reason: null });
    await expectInvariantsHold(t.token, a.orgId);
  });

  it("captured without an amount takes everything authorized", async () => {
    const { api: a, issued, pi, intents } = await authorizedHold();
    // No body at all: the amount is optional.
    expect(await expectOk(await intents.capture(pi))).toMatchObject({ status: "succeeded", amount_received: SEED_TOTAL });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect((await expectOk(await a.listPayments())).data).toMatchObject([{ amount: SEED_TOTAL }]);
  });

  it("refuses to capture more than authorized (422 amount_exceeds_authorized, \"Amount too high\") or a bad amount (400), and nothing changes", async () => {
    const { t, issued, pi, held, intents } = await authorizedHold();
    const before = await rowCounts(t.partnerId);

    const tooHigh = await intents.capture(pi, { amount: SEED_TOTAL + 1 });
    expectError(tooHigh, 422, { code: "amount_exceeds_authorized", param: "amount" });
    expect(tooHigh.body.error.message).toMatch(/^Amount too high/);
    for (const amount of [0, -5, 12.5, "100"]) {
      expectError(await intents.capture(pi, { amount }), 400, { param: "amount" });
    }
    expectError(await intents.capture(pi, { amount: 100, extra: true }), 400, {});

    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await d1Intent(pi)).toMatchObject({ status: "requires_capture", version: held.version, amount_received: 0 });
    expect(await ledgerOf(issued.id)).toMatchObject([{ status: "pending" }]);
    // Still capturable, up to the amount authorized exactly.
    expect(await expectOk(await intents.capture(pi, { amount: SEED_TOTAL }))).toMatchObject({ status: "succeeded", amount_received: SEED_TOTAL });
  });

  it("replays a capture under the same Idempotency-Key instead of refusing it", async () => {
    const { pi, intents, issued } = await authorizedHold();
    const first = await intents.capture(pi, { amount: CAPTURED }, { "idempotency-key": "capture-1" });
    const again = await intents.capture(pi, { amount: CAPTURED }, { "idempotency-key": "capture-1" });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await ledgerOf(issued.id)).toHaveLength(1);
  });

  it("canceled: released (canceled, \"requested\"), its ledger entry canceled, the link stays completed; cancel again changes nothing; capture after → 409", async () => {
    const { t, api: a, issued, link: l, pi, intents } = await authorizedHold();

    const released = await expectOk(await intents.cancel(pi));
    expect(released).toMatchObject({ id: pi, status: "canceled", cancellation_reason: "requested", amount_received: 0, amount_authorized: SEED_TOTAL });
    expect(await expectOk(await a.getIntent(pi))).toEqual(released);
    expect(await ledgerOf(issued.id)).toMatchObject([{ payment_intent_id: pi, status: "canceled", amount: SEED_TOTAL }]);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0 });
    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→requires_capture", "requires_capture→canceled"]);
    expect(await auditActions(t.partnerId, pi)).toContain("hold_released");

    const before = await rowCounts(t.partnerId);
    expect(await expectOk(await intents.cancel(pi))).toEqual(released);
    expectError(await intents.capture(pi), 409, { code: "payment_intent_not_capturable" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    await expectInvariantsHold(t.token, a.orgId);
  });

  it("is released by the object's alarm at capture_before (canceled, \"hold_expired\", payment_intent.status_changed), not a millisecond earlier", async () => {
    const { t, api: a, issued, pi, held } = await authorizedHold();
    const due = Date.parse(held.capture_before);

    await setObjectClock(pi, due - 1);
    await fireAlarm(pi);
    expect((await expectOk(await a.getIntent(pi))).status).toBe("requires_capture");

    await setObjectClock(pi, due);
    await fireAlarm(pi);
    const expired = await expectOk(await a.getIntent(pi));
    expect(expired).toMatchObject({ status: "canceled", cancellation_reason: "hold_expired", amount_received: 0 });
    const [last] = (await eventsOf(t.partnerId, "payment_intent.status_changed")).slice(-1);
    expect(last!.data).toMatchObject({ payment_intent_id: pi, previous_status: "requires_capture", current_status: "canceled", payment_intent: { cancellation_reason: "hold_expired" } });
    expect(await auditActions(t.partnerId, pi)).toContain("hold_expired");
    expect(await ledgerOf(issued.id)).toMatchObject([{ payment_intent_id: pi, status: "canceled" }]);
    expectError(await intentApi(a).capture(pi), 409, { code: "payment_intent_not_capturable" });
    await expectInvariantsHold(t.token, a.orgId);
  });

  it("is released by the sandbox sweep once as_of reaches capture_before's day, for the caller's holds only", async () => {
    const { t, api: a, pi, held } = await authorizedHold();
    // Another partner's hold, due the same day: the caller's sweep leaves it alone.
    const other = await authorizedHold();
    const day = parisToday(new Date(held.capture_before));

    expect(await expectOk(await a.sweep(addDays(day, -1)))).toMatchObject({ holds_released: 0 });
    expect((await expectOk(await a.getIntent(pi))).status).toBe("requires_capture");

    expect(await expectOk(await a.sweep(day))).toMatchObject({ holds_released: 1 });
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "canceled", cancellation_reason: "hold_expired" });
    expect((await intentTransitions(t.partnerId, pi)).at(-1)).toBe("requires_capture→canceled");
    expect((await expectOk(await other.api.getIntent(other.pi))).status).toBe("requires_capture");

    // Nothing left to release.
    expect(await expectOk(await a.sweep(day))).toMatchObject({ holds_released: 0 });
  });

  it("refunds at most the captured amount; an uncaptured hold is not refundable", async () => {
    const { pi, intents, api: a, issued } = await authorizedHold();
    const refunds = refundApi(a);
    expectError(await refunds.create({ payment_intent_id: pi, amount: 100 }), 409, { code: "payment_intent_not_refundable" });

    await expectOk(await intents.capture(pi, { amount: CAPTURED }));
    expectError(await refunds.create({ payment_intent_id: pi, amount: CAPTURED + 1 }), 422, { code: "amount_exceeds_refundable", param: "amount" });
    const refund = await expectOk(await refunds.create({ payment_intent_id: pi, type: "repayment" }), 201);
    expect(refund).toMatchObject({ amount: CAPTURED, status: "pending", type: "repayment" });
    await settleRefundsNow(pi);
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "refunded", refunded_amount: CAPTURED, amount_received: CAPTURED });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0 });
    expectError(await refunds.create({ payment_intent_id: pi, amount: 1 }), 422, { code: "amount_exceeds_refundable" });
  });

  it("is never released by its link: revoking the (completed) link is refused, the link's expiry passes it by", async () => {
    const expiresAt = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const { api: a, link: l, pi } = await authorizedHold({ expiresAt });

    expectError(await a.revokeLink(l.id), 409, { code: "payment_completed" });
    // The object's own expiry timer, due before capture_before.
    await setObjectClock(pi, Date.parse(expiresAt) + 1000);
    await makeTimersDue(pi, "expire");
    await fireAlarm(pi);
    // The sandbox sweep on the link's expiry day.
    expect(await expectOk(await a.sweep(parisToday(new Date(Date.parse(expiresAt) + 86_400_000))))).toMatchObject({ payment_links_expired: 0, holds_released: 0 });
    // And the object itself refuses a link-driven cancel of a hold.
    const stub = intentStub(pi);
    expect(await stub.cancel(pi, { reason: "revoked", actor: PAYER, tenant: await tenantOf(pi) })).toMatchObject({ ok: false, status: 409, code: "payment_authorized" });
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "requires_capture", cancellation_reason: null });
    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });
  });

  it("is another partner's: capture and cancel answer 404 and change nothing; unknown and malformed ids too", async () => {
    const { t, pi, held } = await authorizedHold();
    const stranger = await payableWorld();
    const theirs = intentApi(stranger.api);
    const before = await rowCounts(t.partnerId);
    for (const id of [pi, UNKNOWN_INTENT, "pi-nope", "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"]) {
      expectError(await theirs.capture(id, { amount: 100 }), 404, { code: "resource_missing", param: "id" });
      expectError(await theirs.cancel(id), 404, { code: "resource_missing", param: "id" });
    }
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await d1Intent(pi)).toMatchObject({ status: "requires_capture", version: held.version });
  });

  it("the documented test cards: 4242… authorizes the hold (after the acquirer's answer), the declined cards decline the authorization", async () => {
    const { api: a, pi, link: l, issued } = await holdLink();
    const stub = intentStub(pi);
    const tenant = await tenantOf(pi);

    const declined = sandboxCard.submit({ number: "4000 0000 0000 0002", expiry: "12/99", cvc: "123" });
    if (declined.kind !== "steps") throw new Error("expected steps");
    const chosen = await stub.choose(pi, { tenant, method: "card", version: 1, actor: PAYER });
    if (!chosen.ok) throw new Error(chosen.code);
    const failed = await stub.applyProviderSteps(pi, { tenant, version: chosen.intent.version, provider: "sandbox_card", reference: "sbx-card-1", steps: declined.steps, actor: PAYER });
    expect(failed).toMatchObject({ ok: true, intent: { status: "failed", failure_code: "card_declined", amount_authorized: null } });
    expect(await d1Link(l.id)).toMatchObject({ status: "active" });

    const ok = sandboxCard.submit({ number: "4242 4242 4242 4242", expiry: "12/99", cvc: "123" });
    if (ok.kind !== "steps") throw new Error("expected steps");
    const again = await stub.choose(pi, { tenant, method: "card", version: failed.ok ? failed.intent.version : 0, actor: PAYER });
    if (!again.ok) throw new Error(again.code);
    const processing = await stub.applyProviderSteps(pi, { tenant, version: again.intent.version, provider: "sandbox_card", reference: "sbx-card-2", steps: ok.steps, actor: PAYER });
    expect(processing).toMatchObject({ ok: true, intent: { status: "processing", provider_status: "authorized ••••4242" } });
    await makeTimersDue(pi, "provider_step");
    await fireAlarm(pi);
    const held = await expectOk(await a.getIntent(pi));
    expect(held).toMatchObject({ status: "requires_capture", amount_authorized: SEED_TOTAL, provider_status: "authorized ••••4242", amount_received: 0 });
    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });
    expect(await ledgerOf(issued.id)).toMatchObject([{ payment_intent_id: pi, status: "pending" }]);

    const captured = await expectOk(await intentApi(a).capture(pi, { amount: 1000 }));
    expect(captured).toMatchObject({ status: "succeeded", amount_received: 1000, provider_status: "captured ••••4242" });
  });
});

describe("POST /v1/payment_intents/{id}/cancel on an intent that is not a hold", () => {
  it("cancels an intent the payer can still act on and revokes its link; a paid one is 409", async () => {
    const { t, api: a, issued } = await payableWorld();
    const intents = intentApi(a);
    const open = await expectOk(await a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit", "card"], amount: 1000 }), 201);
    await initialized(open.payment_intent_id);
    expect(await expectOk(await intents.cancel(open.payment_intent_id))).toMatchObject({ status: "canceled", cancellation_reason: "requested", capture_method: "automatic" });
    expect(await d1Link(open.id)).toMatchObject({ status: "revoked" });
    expect(await intentTransitions(t.partnerId, open.payment_intent_id)).toEqual(["created→canceled"]);

    const paid = await expectOk(await a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: 2000 }), 201);
    await initialized(paid.payment_intent_id);
    await expectOk(await a.simulate(paid.payment_intent_id, "succeeded"));
    const before = await rowCounts(t.partnerId);
    expectError(await intents.cancel(paid.payment_intent_id), 409, { code: "payment_completed" });
    // Capturing a payment that was never a hold.
    expectError(await intents.capture(paid.payment_intent_id), 409, { code: "payment_intent_not_capturable" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await d1Intent(paid.payment_intent_id)).toMatchObject({ status: "succeeded", amount_received: 2000 });
  });
});

describe("a payment request without an invoice", () => {
  async function requestLink(extra: Record<string, unknown>) {
    const w = await payableWorld();
    const l = await expectOk(await w.api.createLink({ amount: 20_000, description: "Caution location kayak", payer: { name: "Jean Dupont" }, ...extra }), 201);
    expect(l.invoice_id).toBeNull();
    await initialized(l.payment_intent_id);
    return { ...w, link: l, pi: l.payment_intent_id as string, intents: intentApi(w.api), refunds: refundApi(w.api) };
  }

  async function requestLedger(intentId: string) {
    return (await env.DB.prepare("SELECT * FROM payments WHERE payment_intent_id = ?").bind(intentId).all<any>()).results;
  }

  it("as a hold: authorized, then captured partially into one payment with no invoice", async () => {
    const { t, api: a, link: l, pi, intents } = await requestLink({ payment_methods: ["card"], type: "preauth" });
    const held = await expectOk(await a.simulate(pi, "succeeded"));
    expect(held).toMatchObject({ status: "requires_capture", invoice_id: null, amount_authorized: 20_000, capture_method: "manual" });
    expect(await requestLedger(pi)).toMatchObject([{ status: "pending", amount: 20_000, invoice_id: null }]);
    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });

    expectError(await intents.capture(pi, { amount: 20_001 }), 422, { code: "amount_exceeds_authorized" });
    const invoiceEvents = await eventsOf(t.partnerId, "invoice.status_changed");
    const captured = await expectOk(await intents.capture(pi, { amount: 12_000 }));
    expect(captured).toMatchObject({ status: "succeeded", amount_received: 12_000, invoice_id: null });
    expect(await requestLedger(pi)).toMatchObject([{ amount: 12_000, invoice_id: null, status: "completed" }]);
    expect((await expectOk(await a.listPayments())).data).toMatchObject([{ payment_intent_id: pi, amount: 12_000, invoice_id: null }]);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→requires_capture", "requires_capture→succeeded"]);
    // No invoice event: there is no invoice to move (the world's own invoice is not touched).
    expect(await eventsOf(t.partnerId, "invoice.status_changed")).toEqual(invoiceEvents);
    await expectInvariantsHold(t.token, a.orgId);
  });

  it("paid, can only be repaid: price_reduction → 422 credit_note_requires_invoice naming type, nothing written; the default is a repayment", async () => {
    const { t, api: a, pi, refunds } = await requestLink({ payment_methods: ["card"] });
    expect(await expectOk(await a.simulate(pi, "succeeded"))).toMatchObject({ status: "succeeded", amount_received: 20_000 });

    const before = await rowCounts(t.partnerId);
    const refundsBefore = await env.DB.prepare("SELECT count(*) AS n FROM refunds WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>();
    expectError(await refunds.create({ payment_intent_id: pi, amount: 5000, type: "price_reduction", reason: "Remise" }), 422, { code: "credit_note_requires_invoice", param: "type" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM refunds WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>()).toEqual(refundsBefore);

    // With a reason and no type: on an invoice paid in full that would be a price reduction; here, a repayment.
    const refund = await expectOk(await refunds.create({ payment_intent_id: pi, amount: 5000, reason: "Remise" }), 201);
    expect(refund).toMatchObject({ amount: 5000, type: "repayment", credit_note_id: null, status: "pending" });
    await settleRefundsNow(pi);
    expect(await expectOk(await refunds.get(refund.id))).toMatchObject({ status: "succeeded", type: "repayment", credit_note_id: null });
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "partially_refunded", refunded_amount: 5000 });
    expect(await requestLedger(pi)).toMatchObject([{ amount: 20_000, refunded_amount: 5000, status: "partially_refunded", invoice_id: null }]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM credit_notes WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>())!.n).toBe(0);
    expectError(await refunds.create({ payment_intent_id: pi, amount: 15_001, type: "repayment" }), 422, { code: "amount_exceeds_refundable" });
    await expectInvariantsHold(t.token, a.orgId);
  });
});

describe("a hold's release whose projection was lost", () => {
  it("is drained by the minute cron once capture_before is past", async () => {
    const { t, api: a, pi, held } = await authorizedHold();
    const stub = intentStub(pi);
    const due = Date.parse(held.capture_before);
    await runInDurableObject(stub, async (instance, state) => {
      const seam = instance as unknown as { projectionDb: () => unknown; now: () => number };
      seam.now = () => due;
      seam.projectionDb = () => {
        throw new Error("D1 unreachable");
      };
      await instance.alarm();
      delete (seam as { projectionDb?: unknown }).projectionDb; // D1 is back…
      await state.storage.deleteAlarm(); // …but the retry is lost.
    });
    expect((await objectStorage(pi)).state).toMatchObject({ status: "canceled", cancellation_reason: "hold_expired" });
    expect((await expectOk(await a.getIntent(pi))).status).toBe("requires_capture");

    // Before capture_before (and its two minutes' grace) the cron leaves a hold alone.
    await runMinuteCron(new Date(due));
    expect((await expectOk(await a.getIntent(pi))).status).toBe("requires_capture");
    await runMinuteCron(new Date(due + 3 * 60_000));
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "canceled", cancellation_reason: "hold_expired" });
    expect((await objectStorage(pi)).outbox).toEqual([]);
    expect((await intentTransitions(t.partnerId, pi)).at(-1)).toBe("requires_capture→canceled");
  });
});

async function runMinuteCron(at: Date) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at.getTime(), cron: SCHEDULES.everyMinute }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("a hold's object rebuilt from D1", () => {
  it("still releases the hold at capture_before", async () => {
    const { api: a, link: l, pi: model } = await holdLink();
    // A hold whose object lost its storage: only its D1 rows remain (copied from a real link's, test-only).
    const pi = `pi-${crypto.randomUUID()}`;
    const pl = `pl-${crypto.randomUUID()}`;
    const captureBefore = new Date(Date.now() + HOLD_DURATION_MS).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO payment_links (id, partner_id, livemode, organization_id, invoice_id, payment_intent_id, type, token, amount, currency, payment_methods, status, return_url, expires_at, completed_at, revoked_at, created_at, updated_at)
         SELECT ?1, partner_id, livemode, organization_id, invoice_id, ?2, type, ?3, amount, currency, payment_methods, 'completed', return_url, expires_at, updated_at, NULL, created_at, updated_at FROM payment_links WHERE id = ?4`,
      ).bind(pl, pi, `tok-${crypto.randomUUID()}`, l.id),
      env.DB.prepare(
        `INSERT INTO payment_intents (id, partner_id, livemode, organization_id, invoice_id, payment_link_id, amount, currency, status, capture_method, amount_authorized, capture_before, selected_payment_method, amount_received, refunded_amount, version, created_at, updated_at)
         SELECT ?1, partner_id, livemode, organization_id, invoice_id, ?2, amount, currency, 'requires_capture', 'manual', amount, ?3, 'card', 0, 0, 4, created_at, updated_at FROM payment_intents WHERE id = ?4`,
      ).bind(pi, pl, captureBefore, model),
    ]);
    const recovered = await intentStub(pi).get(pi, await tenantOf(pi));
    expect(recovered).toMatchObject({ ok: true, intent: { status: "requires_capture", amount_authorized: SEED_TOTAL, capture_before: captureBefore } });
    expect((await objectStorage(pi)).timers).toContainEqual({ due_at: Date.parse(captureBefore), kind: "hold_expire" });

    await setObjectClock(pi, Date.parse(captureBefore));
    await fireAlarm(pi);
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "canceled", cancellation_reason: "hold_expired" });
  });
});
