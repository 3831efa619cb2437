import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client";
import { objectVersion } from "../../src/domain/events";
import type { PaymentIntent } from "../../src/durable/payment-intent";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential, seedWorld, type CallResult } from "../helpers/harness";
import { api, d1Invoice, eventsOf, eventually, fireAlarm, intentStub, objectStorage, SEED_TOTAL, tenantOf } from "./fixtures";
import { d1Refunds, holdRefunds, objectRefunds, paidWorld, refundApi } from "./refund-fixtures";

/**
 * Issue 16 §2: POST /v1/refunds is the gate ∥ its read batch, then the intent object's call,
 * which answers once the refund is in the object's own storage and projects it to D1 after.
 * Until the projection lands, GET /v1/refunds/{id} (and the sandbox's settlement) find the
 * refund in the object its id names; the intent's list and the invoice follow once it lands,
 * and a D1 outage only delays them (the alarm retries, the replay writes nothing twice).
 */

/** Server-Timing's sequential count and whether the gate ran in parallel (src/lib/timing.ts). */
function trips(res: CallResult) {
  const header = res.headers.get("server-timing") ?? "";
  return {
    sequential: Number(/storage;desc="sequential round trips";dur=(\d+)/.exec(header)?.[1]),
    gateParallel: /gate;desc="[^"]*\(parallel\)"/.test(header),
    intentCall: /do-intent;desc="refund"/.test(header),
    header,
  };
}

type Seam = { projectionDb?: () => Db; env: { DB: D1Database }; openD1?: () => void };

/**
 * Holds the object's projections until `openProjections`: its D1 batches wait (inside the
 * object's own context, so the promise is settled where it was made). A refund answered while
 * they wait did not wait for D1.
 */
async function holdProjections(intentId: string) {
  await runInDurableObject(intentStub(intentId), (instance: PaymentIntent) => {
    const seam = instance as unknown as Seam;
    const db = seam.env.DB;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    seam.openD1 = open;
    const held = {
      prepare: (query: string) => db.prepare(query),
      batch: async (statements: D1PreparedStatement[]) => {
        await opened;
        return db.batch(statements);
      },
    } as unknown as D1Database;
    seam.projectionDb = () => createDb(held);
  });
}

async function openProjections(intentId: string) {
  await runInDurableObject(intentStub(intentId), (instance: PaymentIntent) => {
    const seam = instance as unknown as Seam;
    delete seam.projectionDb;
    seam.openD1?.();
  });
}

/** D1 unreachable for the object's projections (null: reachable again). */
async function failProjections(intentId: string, failing: boolean) {
  await runInDurableObject(intentStub(intentId), (instance: PaymentIntent) => {
    const seam = instance as unknown as Seam;
    if (failing) {
      seam.projectionDb = () => {
        throw new Error("D1 unreachable");
      };
    } else delete seam.projectionDb;
  });
}

describe("POST /v1/refunds answers before its D1 projection", () => {
  it("with and without Idempotency-Key: 201 while the projection is held, 2 sequential round trips; GET /v1/refunds/{id} answers it from the object; the list and D1 follow once it lands", async () => {
    const { t, api: a, pi, refunds: r } = await paidWorld();
    await holdProjections(pi);

    const plain = await r.create({ payment_intent_id: pi, amount: 1000, reason: "Geste commercial", type: "repayment" });
    const keyed = await r.create({ payment_intent_id: pi, amount: 2000, type: "repayment" }, { "idempotency-key": `refund-${crypto.randomUUID()}` });
    await holdRefunds(pi);
    for (const res of [plain, keyed]) {
      expect(res.status, res.text).toBe(201);
      // The gate ran alongside the read batch (the key's claim rides in it), then the intent's call: nothing nested.
      expect(trips(res), trips(res).header).toMatchObject({ sequential: 2, gateParallel: true, intentCall: true });
      expect(res.body).toMatchObject({ status: "pending", version: 1, payment_intent_id: pi });
    }
    // Nothing in D1 yet: the object holds both refunds and their outbox records.
    expect(await d1Refunds(pi)).toEqual([]);
    expect((await objectStorage(pi)).outbox).toHaveLength(2);

    // Read-your-writes: the refund as the POST answered it, from the object its id names.
    expect(await expectOk(await r.get(plain.body.id))).toEqual(plain.body);
    expect(await expectOk(await r.get(keyed.body.id))).toEqual(keyed.body);
    // The intent's list reads D1 only: it lags until the projection lands.
    expect((await expectOk(await r.ofIntent(pi))).data).toEqual([]);
    // Another partner cannot reach it through the object either (the object checks the tenant).
    const other = await createPartner();
    const otherWorld = await seedWorld(other);
    expect((await refundApi(api(other.token, otherWorld.org.id)).get(plain.body.id)).status).toBe(404);

    await openProjections(pi);
    const landed = await eventually(
      () => d1Refunds(pi),
      (rows) => rows.length === 2,
    );
    expect(landed.map((x: { id: string; version: number }) => [x.id, x.version])).toEqual([
      [plain.body.id, 1],
      [keyed.body.id, 1],
    ]);
    expect((await expectOk(await r.ofIntent(pi))).data).toEqual([plain.body, keyed.body]);
    expect(await expectOk(await r.get(plain.body.id))).toEqual(plain.body);
    expect((await objectStorage(pi)).outbox).toEqual([]);
    expect(await eventsOf(t.partnerId, "refund.created")).toHaveLength(2);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "succeeded", refunded_amount: 0 });
  });

  it("a revoked credential's keyed refund: its claim ran alongside the gate, yet it is answered 401, reaches no object and keeps no key; the same key then runs for a valid credential", async () => {
    const { t, org, pi } = await paidWorld();
    const body = { payment_intent_id: pi, amount: 100, type: "repayment" };
    const headers = { "x-entity-id": org.id, "idempotency-key": "revoked-then-valid" };
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${t.credential.id}`, { method: "DELETE", headers: adminHeaders() }));
    const refused = await call("/v1/refunds", { token: t.token, headers, body });
    expect(refused.status, refused.text).toBe(401);
    expect(await objectRefunds(pi)).toEqual([]);
    // The claim is released after the response.
    const keys = () => env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>();
    expect(await eventually(keys, (row) => row!.n === 0)).toEqual({ n: 0 });

    const fresh = await accessToken(await issueCredential(t.partnerId, "test"));
    const ran = await call("/v1/refunds", { token: fresh, headers, body });
    expect(ran.status, ran.text).toBe(201);
    expect(ran.headers.get("idempotent-replayed")).toBeNull();
    expect((await objectRefunds(pi)).map((r) => r.id)).toEqual([ran.body.id]);
  });

  it("D1 down: the refund is answered, found and settled through its object; the alarm lands it once D1 is back, every event once, with integer object versions", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    await failProjections(pi, true);

    const refund = await expectOk(await r.create({ payment_intent_id: pi, amount: 5000, reason: "Doublon", type: "repayment" }), 201);
    await holdRefunds(pi);
    expect(await expectOk(await r.get(refund.id))).toEqual(refund);
    // The sandbox settles it too, found the same way.
    const settled = await expectOk(await r.simulate(refund.id, "succeeded"));
    expect(settled).toMatchObject({ id: refund.id, status: "succeeded", version: 2 });
    expect(await expectOk(await r.get(refund.id))).toEqual(settled);
    expect(await d1Refunds(pi)).toEqual([]);
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });

    await failProjections(pi, false);
    await fireAlarm(pi);
    expect(await d1Refunds(pi)).toMatchObject([{ id: refund.id, status: "succeeded", version: 2 }]);
    expect(await expectOk(await r.get(refund.id))).toEqual(settled);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "partially_paid", amount_paid: SEED_TOTAL - 5000 });
    // A replay of the drained records writes nothing twice.
    expect(await intentStub(pi).reconcile(pi, await tenantOf(pi))).toMatchObject({ ok: true });
    const events = (await eventsOf(t.partnerId)).filter((e) => e.type.startsWith("refund."));
    expect(events.map((e) => [e.type, objectVersion(e.type, e.data)])).toEqual([
      ["refund.created", 1],
      ["refund.status_changed", 2],
    ]);
    // As the API and the webhooks show them: an integer object_version on each.
    for (const [i, e] of events.entries()) {
      const shown = await expectOk(await call(`/v1/events/${e.id}`, { token: t.token }));
      expect(shown).toMatchObject({ object_version: i + 1, data: { refund: { id: refund.id, version: i + 1 } } });
    }
  });

  it("converges on its own: the intent's list shows the refund and, once the sandbox settles it, GET /v1/invoices/{id} the amount paid back", async () => {
    const { api: a, invoice, pi, refunds: r } = await paidWorld();
    const refund = await expectOk(await r.create({ payment_intent_id: pi, amount: 2200, type: "repayment" }), 201);
    const listed = await eventually(
      async () => (await expectOk(await r.ofIntent(pi))).data as { id: string }[],
      (data) => data.length === 1,
    );
    expect(listed.map((x) => x.id)).toEqual([refund.id]);
    // The sandbox settles it SANDBOX_REFUND_SETTLE_MS later, by the object's own alarm: nothing here forces it.
    const paidBack = await eventually(
      async () => expectOk(await a.getInvoice(invoice.id)),
      (inv) => inv.amount_paid === SEED_TOTAL - 2200,
      15_000,
    );
    expect(paidBack).toMatchObject({ status: "partially_paid", amount_paid: SEED_TOTAL - 2200, amount_due: 2200 });
    expect(await expectOk(await r.get(refund.id))).toMatchObject({ status: "succeeded", version: 2 });
  });
});
