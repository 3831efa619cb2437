import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, VALID_ORGANIZATION } from "../helpers/harness";
import { api, bankSteps, d1Invoice, eventsOf, expectError, intentStub, liveToken, OK_IBAN, PAYER, SEED_TOTAL } from "./fixtures";
import { d1Refunds, objectRefunds, paidWorld, refundApi } from "./refund-fixtures";

/**
 * Issue 10 §4: a refund's settlement belongs to the payment's provider. The sandbox settles
 * test-mode refunds on its timer; live mode has no provider registered, so a live refund stays
 * pending and says so (`pending_reason: provider_unavailable`), never succeeded with no money moved.
 */

/** Every timer of the intent's object due now, then its alarm: whatever a timer would do later happens. */
async function runAllTimersNow(intentId: string) {
  const stub = intentStub(intentId);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = 0");
  });
  await runDurableObjectAlarm(stub);
}

async function objectTimers(intentId: string) {
  return runInDurableObject(intentStub(intentId), (_instance, state) =>
    state.storage.sql
      .exec<{ timer: string }>("SELECT timer FROM timers ORDER BY due_at, id")
      .toArray()
      .map((r) => JSON.parse(r.timer) as { kind: string }),
  );
}

/**
 * A live-mode payment that succeeded: a checksum-valid organization, a real IBAN, KYC verified
 * (the operator's decision, written directly: there is no API for it), an issued invoice and its
 * live payment link. No live provider exists yet, so the payer's bank transfer is reported
 * straight to the intent's object, as a live provider's callback would.
 */
async function livePaidWorld() {
  const t = await createPartner();
  const live = await liveToken(t);
  const org = await expectOk(
    await call("/v1/organizations", { token: live, body: { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } } }),
    201,
  );
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
  await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189" } }), 201);
  const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
  await env.DB.prepare("UPDATE kyc_verifications SET status = 'verified' WHERE id = ?").bind(kyc.id).run();
  const a = api(live, org.id);
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
  const invoice = await expectOk(await a.issueInvoice(draft.id));
  const link = await expectOk(await a.createLink({ invoice_id: invoice.id, payment_methods: ["sepa_credit"], expires_at: "2099-03-31T23:59:59Z" }), 201);
  const pi: string = link.payment_intent_id;

  const stub = intentStub(pi);
  const tenant = { partnerId: t.partnerId, livemode: true, organizationId: org.id };
  const chosen = await stub.choose(pi, { tenant, method: "sepa_credit", version: 1, actor: PAYER });
  if (!chosen.ok) throw new Error(chosen.code);
  const started = await stub.applyProviderSteps(pi, { tenant, version: chosen.intent.version, provider: "live_bank", reference: "live-consent-1", steps: bankSteps(OK_IBAN), actor: PAYER });
  if (!started.ok) throw new Error(started.code);
  await runAllTimersNow(pi);
  const paid = await expectOk(await a.getIntent(pi));
  if (paid.status !== "succeeded") throw new Error(`live payment did not succeed: ${JSON.stringify(paid)}`);
  return { t, org, invoice, pi, api: a, refunds: refundApi(a) };
}

describe("refund settlement goes through the payment's provider", () => {
  it("live mode, no provider registered: the refund stays pending with pending_reason provider_unavailable, whatever the alarm runs; nothing moves", async () => {
    const { t, invoice, pi, api: a, refunds: r } = await livePaidWorld();
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });

    const created = await expectOk(await r.create({ payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€" }), 201);
    expect(created).toMatchObject({ object: "refund", livemode: true, amount: 10000, status: "pending", pending_reason: "provider_unavailable", failure_code: null, completed_at: null });
    // No sandbox timer was armed for it…
    expect((await objectTimers(pi)).filter((x) => x.kind === "refund_settle")).toEqual([]);

    // …and whatever the object's alarm runs, now or later, the refund does not settle on its own.
    await runAllTimersNow(pi);
    await runDurableObjectAlarm(intentStub(pi));
    expect(await expectOk(await r.get(created.id))).toEqual(created);
    expect((await objectRefunds(pi)).map((x) => [x.status, x.pending_reason])).toEqual([["pending", "provider_unavailable"]]);
    expect((await d1Refunds(pi)).map((x: { status: string; pending_reason: string | null }) => [x.status, x.pending_reason])).toEqual([["pending", "provider_unavailable"]]);
    expect(await expectOk(await a.getIntent(pi))).toMatchObject({ status: "succeeded", refunded_amount: 0, amount_received: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });
    expect((await eventsOf(t.partnerId, "refund.status_changed")).length).toBe(0);
    const [createdEvent] = await eventsOf(t.partnerId, "refund.created");
    expect(createdEvent!.data.refund).toMatchObject({ id: created.id, status: "pending", pending_reason: "provider_unavailable" });

    // Held, it still counts against what remains refundable (no double refund once a provider exists).
    expectError(await r.create({ payment_intent_id: pi, amount: SEED_TOTAL }), 422, { code: "amount_exceeds_refundable" });
  });

  it("test mode: the sandbox provider settles the refund on its timer (succeeded, no pending_reason)", async () => {
    const { pi, refunds: r } = await paidWorld();
    const created = await expectOk(await r.create({ payment_intent_id: pi, amount: 10000 }), 201);
    expect(created).toMatchObject({ livemode: false, status: "pending", pending_reason: null });
    expect((await objectTimers(pi)).filter((x) => x.kind === "refund_settle")).toHaveLength(1);

    await runAllTimersNow(pi);
    expect(await expectOk(await r.get(created.id))).toMatchObject({ status: "succeeded", pending_reason: null, completed_at: expect.any(String) });
    expect((await d1Refunds(pi)).map((x: { status: string; pending_reason: string | null }) => [x.status, x.pending_reason])).toEqual([["succeeded", null]]);
  });

  it("the OpenAPI document names pending_reason and its value", async () => {
    const doc = await expectOk(await call("/v1/openapi.json", {}));
    const schema = doc.components.schemas.Refund.properties.pending_reason;
    expect(schema.enum).toEqual(["provider_unavailable", null]);
    expect(schema.description).toMatch(/provider_unavailable/);
    expect(doc.components.schemas.Refund.required).toContain("pending_reason");
  });
});
