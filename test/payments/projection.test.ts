import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client";
import type { PaymentIntent } from "../../src/durable/payment-intent";
import { project, type ProjectionRecord } from "../../src/db/projection/payment-intent";
import {
  bankSteps,
  d1Intent,
  d1Invoice,
  d1Link,
  initialized,
  intentStub,
  tenantOf,
  intentTransitions,
  invoiceTransitions,
  ledgerOf,
  link,
  objectStorage,
  OK_IBAN,
  payableWorld,
  PAYER,
  rowCounts,
  SEED_TOTAL,
} from "./fixtures";

/**
 * DESIGN.md §2: the object is the source of truth; each transition's outbox record is projected
 * to D1 in one idempotent batch, retried by the alarm until D1 takes it. Faults are injected
 * through the object's `projectionDb()` seam.
 */

/** A D1 whose `batch` fails its first `failures` calls (an outage), then works. */
function flakyD1(failures: number) {
  let left = failures;
  const calls = { batch: 0, failed: 0 };
  const d1 = {
    prepare: (query: string) => env.DB.prepare(query),
    exec: (query: string) => env.DB.exec(query),
    dump: () => env.DB.dump(),
    withSession: (constraint?: string) => env.DB.withSession(constraint),
    batch: async (statements: D1PreparedStatement[]) => {
      calls.batch++;
      if (left > 0) {
        left--;
        calls.failed++;
        throw new Error("D1_ERROR: Network connection lost.");
      }
      return env.DB.batch(statements);
    },
  } as unknown as D1Database;
  return { db: createDb(d1), calls };
}

/** Points the object's projections at `db` (the object keeps it until it is evicted). */
function projectThrough(instance: PaymentIntent, db: () => Db) {
  (instance as unknown as { projectionDb: () => Db }).projectionDb = db;
}

async function intentAudit(intentId: string) {
  const { results } = await env.DB.prepare("SELECT action FROM audit_logs WHERE resource_id = ? ORDER BY created_at, id").bind(intentId).all<{ action: string }>();
  return results.map((r) => r.action);
}

/** Everything a projection writes, for one invoice and its partner. */
async function snapshot(partnerId: string, invoiceId: string, intentId: string, linkId: string) {
  return {
    rows: await rowCounts(partnerId),
    invoice: await d1Invoice(invoiceId),
    intent: await d1Intent(intentId),
    link: await d1Link(linkId),
    ledger: await ledgerOf(invoiceId),
  };
}

describe("projection of a payment intent to D1", () => {
  it("a projection that fails once is kept in the outbox, retried by the alarm, and lands exactly once", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    const before = await snapshot(t.partnerId, issued.id, pi, l.id);
    const flaky = flakyD1(1);

    const inside = await runInDurableObject(stub, async (instance, state) => {
      projectThrough(instance, () => flaky.db);
      const result = await instance.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
      // Right after the call, before any retry could run: D1 has not moved, the outbox holds the record.
      return {
        result,
        outbox: state.storage.sql.exec<{ record: string }>("SELECT record FROM outbox").toArray().map((r) => JSON.parse(r.record) as ProjectionRecord),
        alarm: await state.storage.getAlarm(),
        d1: await d1Intent(pi),
      };
    });
    // The object answers from its own state: the payer's choice is made.
    expect(inside.result).toMatchObject({ ok: true, intent: { status: "pending", version: 2, selected_payment_method: "sepa_credit" } });
    expect(flaky.calls).toEqual({ batch: 1, failed: 1 });
    expect(inside.d1).toMatchObject({ status: "created", version: 1 });
    expect(inside.outbox).toHaveLength(1);
    expect(inside.outbox[0]).toMatchObject({ intent: { status: "pending", version: 2 }, previous_status: "created", event: { type: "payment_intent.status_changed" } });
    // The retry is armed soon, well before the link's expiry.
    expect(inside.alarm).not.toBeNull();
    expect(inside.alarm!).toBeLessThan(Date.now() + 5_000);
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(before);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "created", version: 1 });

    // The alarm retries: the record lands, once.
    await runDurableObjectAlarm(stub);
    expect(flaky.calls).toEqual({ batch: 2, failed: 1 });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "pending", version: 2, selected_payment_method: "sepa_credit" });
    expect(await rowCounts(t.partnerId)).toEqual({ ...before.rows, events: before.rows.events + 1, audit_logs: before.rows.audit_logs + 1 });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending"]);
    const [event] = (await env.DB.prepare("SELECT id FROM events WHERE type = 'payment_intent.status_changed' AND partner_id = ?").bind(t.partnerId).all<{ id: string }>()).results;
    expect(event!.id).toBe(inside.outbox[0]!.event!.id); // the id minted in the object's transaction
    const after = await objectStorage(pi);
    expect(after.outbox).toEqual([]);
    expect(after.alarm).toBe(Date.parse(l.expires_at)); // back to the link's expiry

    // Alarms are at-least-once: another run lands nothing more.
    const landed = await snapshot(t.partnerId, issued.id, pi, l.id);
    await runDurableObjectAlarm(stub);
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(landed);
  });

  it("the payment itself: a settlement whose projection fails once yields one ledger entry and the invoice paid once, not twice", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    await stub.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER });
    await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "sbx-consent-1", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });
    expect(await d1Intent(pi)).toMatchObject({ status: "processing", version: 3 });
    const before = await snapshot(t.partnerId, issued.id, pi, l.id);

    const flaky = flakyD1(1);
    const inside = await runInDurableObject(stub, async (instance, state) => {
      projectThrough(instance, () => flaky.db);
      const result = await instance.simulate(pi, { tenant: await tenantOf(pi), outcome: "succeeded", actor: PAYER });
      return {
        result,
        outbox: state.storage.sql.exec<{ record: string }>("SELECT record FROM outbox ORDER BY seq").toArray().map((r) => JSON.parse(r.record) as ProjectionRecord),
        alarm: await state.storage.getAlarm(),
        snap: await snapshot(t.partnerId, issued.id, pi, l.id),
      };
    });
    expect(inside.result).toMatchObject({ ok: true, intent: { status: "succeeded", aiia_status: "settled", version: 5 } });
    // authorized (v4), then settled (v5): both wait, in order.
    expect(inside.outbox.map((r) => [r.intent.version, r.intent.status, r.ledger?.amount ?? null])).toEqual([
      [4, "processing", null],
      [5, "succeeded", SEED_TOTAL],
    ]);
    expect(inside.alarm).not.toBeNull();
    expect(inside.snap).toEqual(before);
    expect((await a.getInvoice(issued.id)).body).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });

    await runDurableObjectAlarm(stub);
    expect(flaky.calls).toEqual({ batch: 3, failed: 1 });
    const landed = await snapshot(t.partnerId, issued.id, pi, l.id);
    expect(landed.intent).toMatchObject({ status: "succeeded", version: 5, aiia_status: "settled", amount_received: SEED_TOTAL });
    expect(landed.ledger).toHaveLength(1);
    expect(landed.ledger[0]).toMatchObject({ payment_intent_id: pi, amount: SEED_TOTAL, method: "sepa_credit", status: "completed" });
    expect(landed.invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0, total_amount: SEED_TOTAL, version: before.invoice.version + 1 });
    expect(landed.link).toMatchObject({ status: "completed" });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded"]);
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→paid"]);
    expect(await intentAudit(pi)).toEqual(["status_changed", "status_changed", "provider_update", "status_changed"]);
    expect((await objectStorage(pi)).outbox).toEqual([]);
    expect((await a.invoicePayments(issued.id)).body.data).toHaveLength(1);

    // Again (alarm, reconciliation): nothing moves.
    await runDurableObjectAlarm(stub);
    await stub.reconcile(pi, await tenantOf(pi));
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(landed);

    // Replaying the records themselves changes nothing either.
    for (const record of inside.outbox) await project(createDb(env.DB), record);
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(landed);
  });

  it("replaying applied records (twice, or an older one after a newer) changes nothing", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);

    // D1 is down for this object for good: the records pile up in its outbox, and we take them.
    const records = await runInDurableObject(stub, async (instance, state) => {
      projectThrough(instance, () => {
        throw new Error("D1 unreachable");
      });
      const result = await instance.simulate(pi, { tenant: await tenantOf(pi), outcome: "succeeded", actor: PAYER });
      expect(result).toMatchObject({ ok: true, intent: { status: "succeeded" } });
      await state.storage.deleteAlarm();
      return state.storage.sql.exec<{ record: string }>("SELECT record FROM outbox ORDER BY seq").toArray().map((r) => JSON.parse(r.record) as ProjectionRecord);
    });
    expect(records.map((r) => r.intent.version)).toEqual([2, 3, 4, 5]);
    expect(await d1Intent(pi)).toMatchObject({ status: "created", version: 1 });

    const db = createDb(env.DB);
    const written: string[][] = [];
    const ledgerVersion = async () => (await env.DB.prepare("SELECT status, version FROM payments WHERE payment_intent_id = ? AND partner_id = ?").bind(pi, t.partnerId).first<{ status: string; version: number }>())!;
    for (const [i, record] of records.entries()) {
      written.push(await project(db, record));
      if (record.intent.status !== "processing") continue;
      // The pending entry's record replayed (the alarm retrying after a lost answer): the entry,
      // its version included, stays as it was — a receiver ordering by object_version sees no change.
      const pending = await ledgerVersion();
      expect(pending).toEqual({ status: "pending", version: 1 });
      await project(db, records[i]!);
      expect(await ledgerVersion()).toEqual(pending);
    }
    expect(await ledgerVersion()).toEqual({ status: "completed", version: 2 });
    const applied = await snapshot(t.partnerId, issued.id, pi, l.id);
    expect(applied.intent).toMatchObject({ status: "succeeded", version: 5 });
    expect(applied.ledger.map((p: { amount: number }) => p.amount)).toEqual([SEED_TOTAL]);
    expect(applied.invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded"]);
    // The settlement's projection reported the invoice event it wrote, for publishing.
    const paidEvent = (await env.DB.prepare("SELECT id FROM events WHERE type = 'invoice.status_changed' AND json_extract(data, '$.current_status') = 'paid' AND partner_id = ?").bind(t.partnerId).first<{ id: string }>())!.id;
    expect(written[3]).toEqual([records[3]!.event!.id, paidEvent]);

    // Each record again: same rows, same invoice version, no invoice event reported.
    for (const record of records) {
      const again = await project(db, record);
      expect(again).not.toContain(paidEvent);
    }
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(applied);

    // An old record arriving late does not move the intent back.
    await project(db, records[0]!);
    expect(await snapshot(t.partnerId, issued.id, pi, l.id)).toEqual(applied);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "succeeded", version: 5 });
  });

  it("a transition made while an earlier projection is pending lands after it, in order", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    const flaky = flakyD1(1);
    await runInDurableObject(stub, async (instance) => {
      projectThrough(instance, () => flaky.db);
      expect(await instance.choose(pi, { tenant: await tenantOf(pi), method: "sepa_credit", version: 1, actor: PAYER })).toMatchObject({ ok: true });
    });
    expect(await d1Intent(pi)).toMatchObject({ status: "created", version: 1 });

    // The payer goes on (the page talks to the object, not to D1): both records land, in order.
    const started = await stub.applyProviderSteps(pi, { tenant: await tenantOf(pi), version: 2, provider: "sandbox_bank", reference: "sbx-consent-1", steps: bankSteps(OK_IBAN).slice(0, 1), actor: PAYER });
    expect(started).toMatchObject({ ok: true, intent: { status: "processing", version: 3 } });
    expect(flaky.calls).toEqual({ batch: 3, failed: 1 });
    expect(await d1Intent(pi)).toMatchObject({ status: "processing", version: 3, aiia_status: "initiated" });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing"]);
    expect((await objectStorage(pi)).outbox).toEqual([]);
  });

  it("keeps retrying with growing delays while D1 is down; nothing is lost or doubled", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    const pi = l.payment_intent_id;
    const stub = intentStub(pi);
    await initialized(pi);
    const flaky = flakyD1(3);
    const delays: number[] = [];
    await runInDurableObject(stub, async (instance, state) => {
      projectThrough(instance, () => flaky.db);
      await instance.choose(pi, { tenant: await tenantOf(pi), method: "card", version: 1, actor: PAYER });
      delays.push((await state.storage.getAlarm())! - Date.now());
    });
    for (let i = 0; i < 2; i++) {
      await runDurableObjectAlarm(stub);
      const s = await objectStorage(pi);
      expect(s.outbox).toHaveLength(1);
      delays.push(s.alarm! - Date.now());
    }
    expect(flaky.calls).toEqual({ batch: 3, failed: 3 });
    // 1 s, 2 s, 4 s (less the time the test took).
    expect(delays[0]!).toBeLessThanOrEqual(1000);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
    expect(delays[2]!).toBeLessThanOrEqual(4000);
    expect(await d1Intent(pi)).toMatchObject({ status: "created", version: 1 });

    await runDurableObjectAlarm(stub);
    expect(await d1Intent(pi)).toMatchObject({ status: "pending", version: 2, selected_payment_method: "card" });
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending"]);
    expect((await a.getIntent(pi)).body.status).toBe("pending");
    expect(await objectStorage(pi)).toMatchObject({ outbox: [], alarm: Date.parse(l.expires_at) });
  });
});
