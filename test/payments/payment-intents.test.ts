import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import worker from "../../src/index";
import { createPartner, expectOk, type CallResult } from "../helpers/harness";
import {
  api,
  bankSteps,
  BLOCKED_IBAN,
  d1Intent,
  d1Invoice,
  d1Link,
  eventsOf,
  expectError,
  initialized,
  intentStub,
  tenantOf,
  intentTransitions,
  invoiceTransitions,
  issuedInvoice,
  ledgerOf,
  link,
  liveToken,
  makeTimersDue,
  objectStorage,
  OK_IBAN,
  payableWorld,
  PAYER,
  POOR_IBAN,
  rowCounts,
  SEED_TOTAL,
  setObjectClock,
  UNKNOWN_INTENT,
} from "./fixtures";

/**
 * Payment intents: the PaymentIntent Durable Object driven directly (as the payment page and the
 * provider drive it), the sandbox simulator, expiry (object alarm, sandbox sweep, minute cron),
 * reconciliation and the read API. DESIGN.md §2 and §4.
 */

async function runMinuteCron(at: Date) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at.getTime(), cron: SCHEDULES.everyMinute }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/**
 * A 5 000-cent card link and its intent as the create batch writes them, copied from `l`, whose
 * object was never told (the worker died between the batch and the init call).
 */
async function plantUninitializedIntent(l: { id: string; payment_intent_id: string }) {
  const pi = `pi-${crypto.randomUUID()}`;
  const pl = `pl-${crypto.randomUUID()}`;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO payment_links (id, partner_id, livemode, organization_id, invoice_id, payment_intent_id, token, amount, currency, payment_methods, status, return_url, expires_at, completed_at, revoked_at, created_at, updated_at)
       SELECT ?1, partner_id, livemode, organization_id, invoice_id, ?2, ?3, 5000, currency, '["card"]', 'active', return_url, expires_at, NULL, NULL, created_at, updated_at FROM payment_links WHERE id = ?4`,
    ).bind(pl, pi, `tok-${crypto.randomUUID()}`, l.id),
    env.DB.prepare(
      `INSERT INTO payment_intents SELECT ?1, partner_id, livemode, organization_id, invoice_id, ?2, 5000, currency, 'created', 'automatic', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, 1, created_at, updated_at FROM payment_intents WHERE id = ?3`,
    ).bind(pi, pl, l.payment_intent_id),
  ]);
  return { pi, pl };
}

/** A payment attempt with the sandbox bank: choose SEPA, authorize with `iban`, settle through the alarm. */
async function payByBank(intentId: string, iban: string) {
  const stub = intentStub(intentId);
  const current = await stub.get(intentId, await tenantOf(intentId));
  if (!current.ok) throw new Error(current.code);
  const chosen = await stub.choose(intentId, { tenant: await tenantOf(intentId), method: "sepa_credit", version: current.intent.version, actor: PAYER });
  if (!chosen.ok) throw new Error(chosen.code);
  const started = await stub.applyProviderSteps(intentId, { tenant: await tenantOf(intentId), version: chosen.intent.version, provider: "sandbox_bank", reference: "sbx-consent-test", steps: bankSteps(iban), actor: PAYER });
  if (!started.ok) throw new Error(started.code);
  await makeTimersDue(intentId, "provider_step");
  await runDurableObjectAlarm(stub);
  const settled = await stub.get(intentId, await tenantOf(intentId));
  if (!settled.ok) throw new Error(settled.code);
  return settled.intent;
}

describe("the PaymentIntent object", () => {
  it("goes created → pending → processing → succeeded with the seed's four webhooks, one ledger entry, the invoice paid and the link completed", async () => {
    const { t, api: a, issued, org } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);

    // Born from the link: created, version 1, with the link's expiry as its one timer and alarm.
    const born = await initialized(pi);
    expect(born.state).toMatchObject({ id: pi, status: "created", version: 1, amount: SEED_TOTAL, allowed_methods: ["sepa_credit", "card"], payment_link_id: l.id });
    expect(born.timers).toEqual([{ due_at: Date.parse(l.expires_at), kind: "expire" }]);
    expect(born.alarm).toBe(Date.parse(l.expires_at));
    expect(born.outbox).toEqual([]);

    // The payer picks SEPA (Webhook 1).
    const chosen = await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    expect(chosen).toMatchObject({ ok: true, intent: { status: "pending", selected_payment_method: "sepa_credit", version: 2 } });
    expect((await objectStorage(pi)).outbox).toEqual([]); // projected before the call returned
    expect(await d1Intent(pi)).toMatchObject({ status: "pending", version: 2, selected_payment_method: "sepa_credit" });
    const [webhook1] = await eventsOf(t.partnerId, "payment_intent.status_changed");
    expect(webhook1!.data).toMatchObject({ payment_intent_id: pi, previous_status: "created", current_status: "pending", payment_intent: { id: pi, selected_payment_method: "sepa_credit" } });
    const row = await env.DB.prepare("SELECT organization_id, livemode FROM events WHERE id = ?").bind(webhook1!.id).first();
    expect(row).toEqual({ organization_id: org.id, livemode: 0 });

    // Authorized at the sandbox bank: the transfer is initiated (Webhook 2), the rest comes later.
    const steps = bankSteps(OK_IBAN);
    const started = await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "sbx-consent-1", steps, actor: PAYER });
    expect(started).toMatchObject({ ok: true, intent: { status: "processing", aiia_status: "initiated", aiia_transaction_id: steps[0]!.transactionId, version: 3 } });
    expect(steps[0]!.transactionId).toMatch(/^aiia-tx-/);
    const processing = await objectStorage(pi);
    expect(processing.outbox).toEqual([]);
    expect(processing.timers.map((x) => x.kind).sort()).toEqual(["expire", "provider_step", "provider_step"]);
    expect(processing.alarm).toBeLessThanOrEqual(Date.now() + 1000);
    const webhook2 = (await eventsOf(t.partnerId, "payment_intent.status_changed"))[1]!;
    expect(webhook2.data).toMatchObject({
      previous_status: "pending",
      current_status: "processing",
      payment_intent: { aiia_transaction_id: steps[0]!.transactionId, aiia_status: "initiated" },
    });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "processing", aiia_status: "initiated", aiia_transaction_id: steps[0]!.transactionId, provider_status: "initiated" });

    // The same authorization submitted twice moves nothing twice.
    expect(await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "sbx-consent-1", steps, actor: PAYER })).toMatchObject({ ok: false, code: "stale_form" });

    // The bank settles: the alarm applies authorized, then settled (Webhook 3).
    await makeTimersDue(pi, "provider_step");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const intent = await expectOk(await a.getIntent(pi));
    expect(intent).toMatchObject({ status: "succeeded", aiia_status: "settled", provider_status: "settled", amount_received: SEED_TOTAL, failure_code: null, version: 5 });
    expect(Date.parse(intent.completed_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded"]);
    const webhook3 = (await eventsOf(t.partnerId, "payment_intent.status_changed"))[2]!;
    expect(webhook3.data).toMatchObject({ previous_status: "processing", current_status: "succeeded", payment_intent: { aiia_status: "settled", completed_at: intent.completed_at } });

    // Money: one ledger entry; the invoice is paid (Webhook 4); the link completed.
    const ledger = await ledgerOf(issued.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ payment_intent_id: pi, payment_link_id: l.id, amount: SEED_TOTAL, method: "sepa_credit", status: "completed", paid_at: intent.completed_at });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0, paid_at: intent.completed_at });
    const [issuedEvent, webhook4, ...more] = await eventsOf(t.partnerId, "invoice.status_changed");
    expect(issuedEvent!.data).toMatchObject({ previous_status: "draft", current_status: "issued" });
    expect(more).toEqual([]);
    expect(webhook4!.data).toMatchObject({ invoice_id: issued.id, previous_status: "issued", current_status: "paid", invoice: { amount_paid: SEED_TOTAL, amount_due: 0 } });
    expect(await d1Link(l.id)).toMatchObject({ status: "completed", completed_at: intent.completed_at });

    // Nothing left to project; only the (now harmless) expiry timer remains.
    const done = await objectStorage(pi);
    expect(done.outbox).toEqual([]);
    expect(done.timers).toEqual([{ due_at: Date.parse(l.expires_at), kind: "expire" }]);
    expect(done.state).toMatchObject({ status: "succeeded", version: 5 });
    // …and its firing changes nothing.
    await makeTimersDue(pi, "expire");
    await runDurableObjectAlarm(stub);
    expect((await a.getIntent(pi)).body).toEqual(intent);
    expect(await d1Link(l.id)).toMatchObject({ status: "completed" });
  });

  it("fails with …124 (insufficient_funds) and …125 (account_blocked); the payer retries from the same link and pays", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    await initialized(pi);

    const poor = await payByBank(pi, POOR_IBAN);
    expect(poor).toMatchObject({ status: "failed", failure_code: "insufficient_funds", aiia_status: "rejected", failure_message: "Fonds insuffisants sur le compte du payeur.", amount_received: 0, completed_at: null });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "failed", failure_code: "insufficient_funds" });
    expect((await a.getLink(l.id)).body.status).toBe("active");
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0 });

    const blocked = await payByBank(pi, BLOCKED_IBAN);
    expect(blocked).toMatchObject({ status: "failed", failure_code: "account_blocked", aiia_status: "rejected", failure_message: "Le compte du payeur est bloqué." });

    // The retry clears the previous attempt's outcome.
    const stub = intentStub(pi);
    const retry = await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: blocked.version, actor: PAYER });
    expect(retry).toMatchObject({ ok: true, intent: { status: "pending", failure_code: null, failure_message: null, aiia_status: null, aiia_transaction_id: null } });
    const paid = await payByBank(pi, OK_IBAN);
    expect(paid).toMatchObject({ status: "succeeded", aiia_status: "settled", failure_code: null });

    expect(await intentTransitions(t.partnerId, pi)).toEqual([
      "created→pending",
      "pending→processing",
      "processing→failed",
      "failed→pending",
      "pending→processing",
      "processing→failed",
      "failed→pending",
      "pending→processing",
      "processing→succeeded",
    ]);
    expect(await ledgerOf(issued.id)).toHaveLength(1);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→paid"]);
    expect((await a.getLink(l.id)).body.status).toBe("completed");
  });

  it("refuses a stale form (stale_form) and writes nothing: same version, no outbox, no event, no audit", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    expect((await stub.choose(pi, { tenant: await tenantOf(pi), method: "card", version: 1, actor: PAYER })).ok).toBe(true);

    const before = { rows: await rowCounts(t.partnerId), storage: await objectStorage(pi), d1: await d1Intent(pi) };
    const stale = await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    expect(stale).toEqual({ ok: false, code: "stale_form", message: expect.any(String), status: 409 });
    expect(await rowCounts(t.partnerId)).toEqual(before.rows);
    expect(await objectStorage(pi)).toEqual(before.storage);
    expect(await d1Intent(pi)).toEqual(before.d1);
    expect(before.storage.state).toMatchObject({ version: 2, selected_payment_method: "card" });

    // The same choice again with the current version is a no-op.
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "card", version: 2, actor: PAYER })).toMatchObject({ ok: true, intent: { version: 2 } });
    expect(await rowCounts(t.partnerId)).toEqual(before.rows);

    // Another method while pending: a new version and an audit entry, but no status event.
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 2, actor: PAYER })).toMatchObject({ ok: true, intent: { status: "pending", version: 3, selected_payment_method: "sepa_credit" } });
    const after = await rowCounts(t.partnerId);
    expect(after).toEqual({ ...before.rows, audit_logs: before.rows.audit_logs + 1 });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending"]);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "pending", selected_payment_method: "sepa_credit", version: 3 });
  });

  it("refuses forbidden transitions with the documented codes, writing nothing", async () => {
    const { t, api: a, issued } = await payableWorld();
    const sepaOnly = await link(a, issued.id, { payment_methods: ["sepa_credit"], amount: 20000 });
    const pi = sepaOnly.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);

    const before = await rowCounts(t.partnerId);
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "card", version: 1, actor: PAYER })).toMatchObject({ ok: false, code: "payment_method_not_allowed", status: 400 });
    expect(await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 1, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN), actor: PAYER })).toMatchObject({
      ok: false,
      code: "stale_form",
    });
    expect(await rowCounts(t.partnerId)).toEqual(before);

    // Processing: neither cancel nor a new choice; revoking the link → 409 payment_processing.
    const chosen = await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    expect(await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "x", steps: [], actor: PAYER })).toMatchObject({
      ok: false,
      code: "no_provider_step",
      status: 422,
    });
    expect(chosen.ok).toBe(true);
    await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });
    const processing = await rowCounts(t.partnerId);
    expect(await stub.cancel(pi, { tenant: await tenantOf(pi), reason: "revoked", actor: PAYER })).toMatchObject({ ok: false, code: "payment_processing", status: 409 });
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 3, actor: PAYER })).toMatchObject({ ok: false, code: "payment_processing", status: 409 });
    expectError(await a.revokeLink(sepaOnly.id), 409, { type: "conflict_error", code: "payment_processing" });
    expect(await rowCounts(t.partnerId)).toEqual(processing);
    expect((await a.getLink(sepaOnly.id)).body.status).toBe("active");

    // Succeeded: nothing moves any more.
    await expectOk(await a.simulate(pi, "succeeded"));
    const done = await stub.get(pi, await tenantOf(pi));
    if (!done.ok) throw new Error(done.code);
    expect(await stub.cancel(pi, { tenant: await tenantOf(pi), reason: "revoked", actor: PAYER })).toMatchObject({ ok: false, code: "payment_completed", status: 409 });
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: done.intent.version, actor: PAYER })).toMatchObject({ ok: false, code: "payment_completed" });
    expectError(await a.simulate(pi, "insufficient_funds"), 409, { code: "invalid_intent_transition" });

    // Canceled: neither.
    const other = await link(a, issued.id, { payment_methods: ["card"] });
    await expectOk(await a.revokeLink(other.id));
    const canceled = await intentStub(other.payment_intent_id).get(other.payment_intent_id, await tenantOf(other.payment_intent_id));
    expect(canceled).toMatchObject({ ok: true, intent: { status: "canceled" } });
    const version = canceled.ok ? canceled.intent.version : 0;
    expect(await intentStub(other.payment_intent_id).choose(other.payment_intent_id, { tenant: await tenantOf(other.payment_intent_id), method: "card", version, actor: PAYER })).toMatchObject({
      ok: false,
      code: "payment_intent_canceled",
    });
    // A second cancel of a canceled intent is a no-op, not an error.
    expect(await intentStub(other.payment_intent_id).cancel(other.payment_intent_id, { tenant: await tenantOf(other.payment_intent_id), reason: "revoked", actor: PAYER })).toMatchObject({ ok: true, intent: { status: "canceled", version } });
    expect(await intentTransitions(t.partnerId, other.payment_intent_id)).toEqual(["created→canceled"]);
  });

  it("answers 404 (as a value) for an intent that exists nowhere, and stays empty", async () => {
    const stub = intentStub(UNKNOWN_INTENT);
    expect(await stub.get(UNKNOWN_INTENT, await tenantOf(UNKNOWN_INTENT))).toMatchObject({ ok: false, code: "resource_missing", status: 404 });
    expect(await stub.choose(UNKNOWN_INTENT, { tenant: await tenantOf(UNKNOWN_INTENT), method: "card", version: 1, actor: PAYER })).toMatchObject({ ok: false, status: 404 });
    expect(await objectStorage(UNKNOWN_INTENT)).toMatchObject({ state: null, outbox: [], timers: [], alarm: null });
  });

  it("refuses every call made for another tenant (partner, mode or organization) as if the intent did not exist", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { amount: 20000 });
    const pi = l.payment_intent_id;
    const own = await tenantOf(pi);
    expect(own.partnerId).toBe(t.partnerId);
    const stub = intentStub(pi);
    // The link's init call is deferred: make sure the object holds its state before the snapshot.
    expect(await stub.get(pi, own)).toMatchObject({ ok: true });
    const before = await objectStorage(pi);
    for (const other of [{ ...own, partnerId: "ptn-other" }, { ...own, livemode: true }, { ...own, organizationId: "org-other" }]) {
      const notFound = { ok: false, code: "resource_missing", status: 404 };
      expect(await stub.get(pi, other)).toMatchObject(notFound);
      expect(await stub.reconcile(pi, other)).toMatchObject(notFound);
      expect(await stub.choose(pi, { tenant: other, method: "card", version: 1, actor: PAYER })).toMatchObject(notFound);
      expect(await stub.applyProviderSteps(pi, { tenant: other, version: 1, provider: "sandbox_card", reference: "x", steps: [], actor: PAYER })).toMatchObject(notFound);
      expect(await stub.cancel(pi, { tenant: other, reason: "revoked", actor: PAYER })).toMatchObject(notFound);
      expect(await stub.simulate(pi, { tenant: other, outcome: "succeeded", actor: PAYER })).toMatchObject(notFound);
      expect(await stub.refund(pi, { tenant: other, refundId: `ref-${crypto.randomUUID()}`, reason: null, actor: PAYER })).toMatchObject(notFound);
      expect(await stub.settleRefund(pi, { tenant: other, refundId: `ref-${crypto.randomUUID()}`, outcome: "succeeded", actor: PAYER })).toMatchObject(notFound);
    }
    // Nothing moved: same state, no outbox record, and the intent still answers its own tenant.
    expect((await objectStorage(pi)).state).toEqual(before.state);
    expect(await intentTransitions(t.partnerId, pi)).toEqual([]);
    expect(await stub.get(pi, own)).toMatchObject({ ok: true, intent: { id: pi, status: "created" } });
  });

  it("initializes itself from D1 only for the tenant its D1 row names", async () => {
    const { api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { amount: 20000 });
    const { pi } = await plantUninitializedIntent(l);
    const own = await tenantOf(pi);
    expect(await intentStub(pi).get(pi, { ...own, partnerId: "ptn-other" })).toMatchObject({ ok: false, status: 404 });
    expect(await objectStorage(pi)).toMatchObject({ state: null });
    expect(await intentStub(pi).get(pi, own)).toMatchObject({ ok: true, intent: { id: pi } });
  });

  it("initializes itself from D1 when its init call never arrived", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { amount: 20000 });
    // A link and intent as the create batch writes them, whose object was never told (the worker died).
    const { pi, pl } = await plantUninitializedIntent(l);
    expect(await objectStorage(pi)).toMatchObject({ state: null });

    const stub = intentStub(pi);
    const got = await stub.get(pi, await tenantOf(pi));
    expect(got).toMatchObject({ ok: true, allowed_methods: ["card"], intent: { id: pi, status: "created", amount: 5000, version: 1, payment_link_id: pl, invoice_id: issued.id } });
    const storage = await objectStorage(pi);
    expect(storage.state).toMatchObject({ id: pi, expires_at: Date.parse(l.expires_at), attempt: 0 });
    expect(storage.timers).toEqual([{ due_at: Date.parse(l.expires_at), kind: "expire" }]);
    expect(storage.alarm).toBe(Date.parse(l.expires_at));

    // It works from there like any other.
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER })).toMatchObject({ ok: false, code: "payment_method_not_allowed" });
    expect(await stub.choose(pi, { tenant: await tenantOf(pi), method: "card", version: 1, actor: PAYER })).toMatchObject({ ok: true, intent: { status: "pending" } });
    expect(await d1Intent(pi)).toMatchObject({ status: "pending", version: 2, selected_payment_method: "card" });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending"]);
  });
});

describe("POST /v1/sandbox/payment_intents/{id}/simulate", () => {
  const cases = [
    {
      outcome: "succeeded",
      intent: { status: "succeeded", selected_payment_method: "sepa_credit", aiia_status: "settled", failure_code: null, amount_received: SEED_TOTAL },
      transitions: ["created→pending", "pending→processing", "processing→succeeded"],
      link: "completed",
      invoice: { status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 },
      ledger: ["completed"],
    },
    {
      outcome: "insufficient_funds",
      intent: { status: "failed", selected_payment_method: "sepa_credit", aiia_status: "rejected", failure_code: "insufficient_funds", amount_received: 0, completed_at: null },
      transitions: ["created→pending", "pending→processing", "processing→failed"],
      link: "active",
      invoice: { status: "issued", amount_paid: 0, amount_due: SEED_TOTAL },
      ledger: ["failed"],
    },
    {
      outcome: "account_blocked",
      intent: { status: "failed", aiia_status: "rejected", failure_code: "account_blocked", failure_message: "Le compte du payeur est bloqué." },
      transitions: ["created→pending", "pending→processing", "processing→failed"],
      link: "active",
      invoice: { status: "issued", amount_paid: 0 },
      ledger: ["failed"],
    },
    {
      outcome: "card_declined",
      intent: { status: "failed", selected_payment_method: "card", aiia_status: null, aiia_transaction_id: null, failure_code: "card_declined" },
      transitions: ["created→pending", "pending→failed"],
      link: "active",
      invoice: { status: "issued", amount_paid: 0 },
      ledger: [],
    },
    {
      outcome: "expired",
      intent: { status: "canceled", selected_payment_method: null },
      transitions: ["created→canceled"],
      link: "expired",
      invoice: { status: "issued", amount_paid: 0 },
      ledger: [],
    },
  ] as const;

  it.each(cases)("$outcome: the final state, the events in order, the link and the invoice", async (c) => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const res = await a.simulate(l.payment_intent_id, c.outcome);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: l.payment_intent_id, object: "payment_intent", ...c.intent });
    expect((await a.getIntent(l.payment_intent_id)).body).toEqual(res.body);
    expect(await intentTransitions(t.partnerId, l.payment_intent_id)).toEqual(c.transitions);
    expect((await a.getLink(l.id)).body.status).toBe(c.link);
    expect(await d1Invoice(issued.id)).toMatchObject(c.invoice);
    // The ledger entry of the attempt (seed 002's statuses): completed when paid, failed when the transfer on its way failed.
    expect((await ledgerOf(issued.id)).map((p) => p.status)).toEqual(c.ledger);
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(c.outcome === "succeeded" ? ["draft→issued", "issued→paid"] : ["draft→issued"]);
    // Every event is a status change of this intent (plus the link's creation and the invoice's).
    const types = (await eventsOf(t.partnerId)).map((e) => e.type);
    expect(types.filter((x) => x === "payment_intent.status_changed")).toHaveLength(c.transitions.length);
  });

  it("a failed simulation can be followed by a successful one (retry from the same link)", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    await expectOk(await a.simulate(l.payment_intent_id, "card_declined"));
    const paid = await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    // The retry keeps the method the payer last chose.
    expect(paid).toMatchObject({ status: "succeeded", selected_payment_method: "card", failure_code: null });
    expect(await intentTransitions(t.partnerId, l.payment_intent_id)).toEqual([
      "created→pending",
      "pending→failed",
      "failed→pending",
      "pending→processing",
      "processing→succeeded",
    ]);
    expect((await ledgerOf(issued.id))[0]).toMatchObject({ method: "card", amount: SEED_TOTAL });
  });

  it("a card payment leaves the open-banking (aiia_*) fields empty; a SEPA one fills them", async () => {
    const { api: a, issued } = await payableWorld();
    const cardOnly = await expectOk(await a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: 1000 }), 201);
    const card = await expectOk(await a.simulate(cardOnly.payment_intent_id, "succeeded"));
    expect(card).toMatchObject({ status: "succeeded", selected_payment_method: "card", aiia_status: null, aiia_transaction_id: null, provider_status: "captured" });
    const sepaOnly = await expectOk(await a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit"], amount: 1000 }), 201);
    const sepa = await expectOk(await a.simulate(sepaOnly.payment_intent_id, "succeeded"));
    expect(sepa).toMatchObject({ status: "succeeded", selected_payment_method: "sepa_credit", aiia_status: "settled", aiia_transaction_id: expect.stringMatching(/^aiia-tx-/) });
  });

  it("refuses an outcome the link's methods do not allow (400), and anything after the end (409)", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { payment_methods: ["sepa_credit"] });
    const before = await rowCounts(t.partnerId);
    expectError(await a.simulate(l.payment_intent_id, "card_declined"), 400, { code: "payment_method_not_allowed", param: "outcome" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    await expectOk(await a.simulate(l.payment_intent_id, "expired"));
    expectError(await a.simulate(l.payment_intent_id, "succeeded"), 409, { type: "conflict_error" });
    expect((await a.getIntent(l.payment_intent_id)).body.status).toBe("canceled");
  });

  it("is for test mode only (403), answers 404 for an unknown or foreign intent, and 400 for an unknown outcome", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    expectError(await api(await liveToken(t), a.orgId).simulate(l.payment_intent_id, "succeeded"), 403, { type: "permission_error", code: "test_mode_only" });
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).simulate(l.payment_intent_id, "succeeded"), 404, { code: "resource_missing" });
    expectError(await a.simulate(UNKNOWN_INTENT, "succeeded"), 404, { code: "resource_missing" });
    expectError(await a.simulate("pi-nope", "succeeded"), 404, { code: "resource_missing" });
    expectError(await a.simulate(l.payment_intent_id, "refunded"), 400, { param: "outcome" });
    expect((await a.getIntent(l.payment_intent_id)).body.status).toBe("created");
  });
});

describe("link expiry", () => {
  it("the object's alarm expires the link at expires_at: intent canceled, link expired, the amount freed", async () => {
    const { t, api: a, issued } = await payableWorld();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const l = await link(a, issued.id, { expires_at: expiresAt });
    const pi = l.payment_intent_id;
    const s = await initialized(pi);
    expect(s.alarm).toBe(Date.parse(expiresAt));

    await makeTimersDue(pi, "expire");
    expect(await runDurableObjectAlarm(intentStub(pi))).toBe(true);
    expect((await a.getLink(l.id)).body).toMatchObject({ status: "expired", revoked_at: null, completed_at: null });
    expect((await a.getIntent(pi)).body.status).toBe("canceled");
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→canceled"]);
    const audit = await env.DB.prepare("SELECT user_type, user_id FROM audit_logs WHERE resource_id = ? AND action = 'status_changed'").bind(pi).all();
    expect(audit.results).toEqual([{ user_type: "system", user_id: "payment-intent" }]);
    expect(await objectStorage(pi)).toMatchObject({ outbox: [], timers: [], alarm: null });

    expectError(await a.revokeLink(l.id), 409, { code: "payment_link_expired" });
    expect((await link(a, issued.id)).amount).toBe(SEED_TOTAL);
  });

  it("expires on its own when expires_at passes: the alarm is armed for that instant, and not a moment before", async () => {
    const { api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { expires_at: new Date(Date.now() + 60_000).toISOString() });
    const pi = l.payment_intent_id;
    const expiresAt = Date.parse(l.expires_at);
    expect((await initialized(pi)).alarm).toBe(expiresAt);

    // The object's clock, not a wait, brings the instant: its timers are left as they were armed.
    await setObjectClock(pi, expiresAt - 1);
    expect(await runDurableObjectAlarm(intentStub(pi))).toBe(true);
    expect((await a.getLink(l.id)).body.status).toBe("active");
    expect(await objectStorage(pi)).toMatchObject({ timers: [{ kind: "expire", due_at: expiresAt }], alarm: expiresAt });

    await setObjectClock(pi, expiresAt);
    expect(await runDurableObjectAlarm(intentStub(pi))).toBe(true);
    expect((await a.getLink(l.id)).body.status).toBe("expired");
    expect((await a.getIntent(pi)).body.status).toBe("canceled");
    expect(await objectStorage(pi)).toMatchObject({ outbox: [], timers: [], alarm: null });
  });

  it("a link expiring while its transfer is processing waits for the outcome: expired after a failure", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });

    await makeTimersDue(pi, "expire");
    await runDurableObjectAlarm(stub);
    expect((await a.getIntent(pi)).body.status).toBe("processing");
    expect((await a.getLink(l.id)).body.status).toBe("active");
    const retried = (await objectStorage(pi)).timers;
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ kind: "expire" });
    expect(retried[0]!.due_at).toBeGreaterThan(Date.now());

    // The transfer fails after the expiry: no retry is possible any more, the link expires.
    await expectOk(await a.simulate(pi, "insufficient_funds"));
    await makeTimersDue(pi, "expire");
    await runDurableObjectAlarm(stub);
    expect((await a.getLink(l.id)).body.status).toBe("expired");
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→failed", "failed→canceled"]);
  });

  it("a link expiring while processing and then paid stays completed", async () => {
    const { api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });
    await makeTimersDue(pi, "expire");
    await runDurableObjectAlarm(stub);
    await expectOk(await a.simulate(pi, "succeeded"));
    await makeTimersDue(pi, "expire");
    await runDurableObjectAlarm(stub);
    expect((await a.getLink(l.id)).body.status).toBe("completed");
    expect((await a.getIntent(pi)).body.status).toBe("succeeded");
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });
  });

  it("POST /v1/sandbox/sweeps expires the caller's links expiring on or before as_of (Paris), not a processing one", async () => {
    const { t, api: a, issued } = await payableWorld();
    const stranger = await payableWorld();
    const foreign = await link(stranger.api, stranger.issued.id, { expires_at: "2030-01-01T00:00:00Z" });
    const noon = await link(a, issued.id, { amount: 10000, expires_at: "2030-01-10T12:00:00Z" });
    const lateEvening = await link(a, issued.id, { amount: 10000, expires_at: "2030-01-10T22:30:00Z" }); // 23:30 in Paris, still the 10th
    const nextDay = await link(a, issued.id, { amount: 10000, expires_at: "2030-01-10T23:30:00Z" }); // 00:30 on the 11th in Paris
    const busy = await link(a, issued.id, { amount: 10000, expires_at: "2030-01-05T00:00:00Z" });
    await initialized(busy.payment_intent_id);
    const busyStub = intentStub(busy.payment_intent_id);
    await busyStub.choose(busy.payment_intent_id, { tenant: await tenantOf(busy.payment_intent_id), method: "sepa_credit", version: 1, actor: PAYER });
    await busyStub.applyProviderSteps(busy.payment_intent_id, { tenant: await tenantOf(busy.payment_intent_id), version: 2, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });

    const res = await a.sweep("2030-01-10");
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ object: "sandbox_sweep", as_of: "2030-01-10", invoices_marked_overdue: 0, payment_links_expired: 2, holds_released: 0, quotes_expired: 0, dunning_reminders_sent: 0, dunning_finished: 0 });
    const statuses = async () => Object.fromEntries(await Promise.all([noon, lateEvening, nextDay, busy].map(async (x) => [x.id, (await a.getLink(x.id)).body.status])));
    expect(await statuses()).toEqual({ [noon.id]: "expired", [lateEvening.id]: "expired", [nextDay.id]: "active", [busy.id]: "active" });
    expect((await a.getIntent(noon.payment_intent_id)).body.status).toBe("canceled");
    expect((await a.getIntent(busy.payment_intent_id)).body.status).toBe("processing");
    expect((await stranger.api.getLink(foreign.id)).body.status).toBe("active");

    // Again: nothing more to expire, no event more.
    const events = await eventsOf(t.partnerId);
    expect((await a.sweep("2030-01-10")).body.payment_links_expired).toBe(0);
    expect(await eventsOf(t.partnerId)).toEqual(events);
    // The next day takes the third.
    expect((await a.sweep("2030-01-11")).body.payment_links_expired).toBe(1);
    expect((await a.getLink(nextDay.id)).body.status).toBe("expired");
  });

  it("the minute cron expires links past their expiry, and only those", async () => {
    const { api: a, issued } = await payableWorld();
    const soon = await link(a, issued.id, { amount: 10000, expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    const later = await link(a, issued.id, { amount: 10000 });
    await runMinuteCron(new Date(Date.now() + 2 * 3_600_000));
    expect((await a.getLink(soon.id)).body.status).toBe("expired");
    expect((await a.getIntent(soon.payment_intent_id)).body.status).toBe("canceled");
    expect((await a.getLink(later.id)).body.status).toBe("active");
    expect((await a.getIntent(later.payment_intent_id)).body.status).toBe("created");
  });

  it("the minute cron reconciles a stale intent whose projection was lost and whose retry never came", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    await runInDurableObject(stub, async (instance, state) => {
      const seam = instance as unknown as { projectionDb: () => unknown };
      seam.projectionDb = () => {
        throw new Error("D1 unreachable");
      };
      const started = await instance.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "x", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });
      expect(started).toMatchObject({ ok: true, intent: { status: "processing" } });
      delete (seam as { projectionDb?: unknown }).projectionDb; // D1 is back…
      await state.storage.deleteAlarm(); // …but the retry is lost.
    });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "pending", version: 2 });
    expect((await objectStorage(pi)).outbox).toHaveLength(1);

    // Not stale yet: left alone.
    await runMinuteCron(new Date());
    expect((await a.getIntent(pi)).body.status).toBe("pending");
    // Two minutes on, the cron asks the object to drain.
    await runMinuteCron(new Date(Date.now() + 3 * 60_000));
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "processing", aiia_status: "initiated", version: 3 });
    expect((await objectStorage(pi)).outbox).toEqual([]);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing"]);
  });
});

describe("GET /v1/payment_intents", () => {
  it("lists newest first; filters by status, invoice_id and created range (instants and Paris dates); paginates", async () => {
    const { t, api: a, issued, dept } = await payableWorld();
    const other = await issuedInvoice(a, dept.id);
    const l1 = await link(a, issued.id, { amount: 10000 });
    const l2 = await link(a, issued.id, { amount: 5000 });
    const l3 = await link(a, other.id);
    await expectOk(await a.simulate(l1.payment_intent_id, "succeeded"));
    await expectOk(await a.revokeLink(l3.id));
    const [i1, i2, i3] = [l1, l2, l3].map((l) => l.payment_intent_id);
    const ids = (res: CallResult) => {
      if (res.status !== 200) throw new Error(res.text);
      return res.body.data.map((x: { id: string }) => x.id);
    };

    const all = await expectOk(await a.listIntents());
    expect(all.data.map((x: { id: string }) => x.id)).toEqual([i3, i2, i1]);
    expect(all.pagination).toEqual({ page: 1, page_size: 20, total_items: 3, total_pages: 1 });
    expect(all.data[2]).toMatchObject({ id: i1, status: "succeeded", amount: 10000, invoice_id: issued.id, payment_link_id: l1.id });

    expect(ids(await a.listIntents("status=succeeded"))).toEqual([i1]);
    expect(ids(await a.listIntents("status=created"))).toEqual([i2]);
    expect(ids(await a.listIntents("status=canceled"))).toEqual([i3]);
    expect(ids(await a.listIntents("status=failed"))).toEqual([]);
    expect(ids(await a.listIntents(`invoice_id=${issued.id}`))).toEqual([i2, i1]);
    expect(ids(await a.listIntents(`invoice_id=${other.id}&status=canceled`))).toEqual([i3]);

    // Instants: both bounds inclusive, like every *_to filter of the API.
    expect(ids(await a.listIntents(`created_from=${encodeURIComponent(l2.created_at)}`))).toEqual([i3, i2]);
    expect(ids(await a.listIntents(`created_to=${encodeURIComponent(l2.created_at)}`))).toEqual([i2, i1]);
    expect(ids(await a.listIntents(`created_to=${encodeURIComponent(new Date(Date.parse(l2.created_at) - 1).toISOString())}`))).toEqual([i1]);
    // Paris dates: the whole day.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
    expect(ids(await a.listIntents(`created_from=${today}&created_to=${today}`))).toEqual([i3, i2, i1]);
    expect(ids(await a.listIntents("created_to=2020-01-01"))).toEqual([]);
    expect(ids(await a.listIntents("created_from=2099-01-01"))).toEqual([]);

    const page2 = await expectOk(await a.listIntents("page=2&page_size=2"));
    expect(page2.data.map((x: { id: string }) => x.id)).toEqual([i1]);
    expect(page2.pagination).toEqual({ page: 2, page_size: 2, total_items: 3, total_pages: 2 });

    expectError(await a.listIntents("status=paid"), 400, { param: "status" });
    expectError(await a.listIntents("created_from=yesterday"), 400, { param: "created_from" });

    // Tenancy: another partner and the live mode see nothing of it.
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).listIntents(), 404, { code: "resource_missing" });
    expectError(await api(stranger.token, a.orgId).getIntent(i1), 404, { code: "resource_missing" });
    expectError(await api(await liveToken(t), a.orgId).getIntent(i1), 404, { code: "resource_missing" });
    expectError(await a.getIntent(UNKNOWN_INTENT), 404, { code: "resource_missing", param: "id" });
  });
});
