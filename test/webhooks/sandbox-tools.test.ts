import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld, type CallResult } from "../helpers/harness";
import { body, delivery, fanOut, outbox, receiver, runQueue, seedVerifies, subscribe } from "./helpers";

/**
 * Issue 17, "a sandbox fast enough for a CI": POST /v1/webhook_subscriptions/{id}/test (a signed
 * ping, now) and POST /v1/webhook_subscriptions/{id}/recover (every failed delivery since a time).
 */

const HOOK = "http://127.0.0.1:9999/hook";
const OTHER = "http://127.0.0.1:9998/other";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function expectError(res: CallResult, status: number, code: string, param?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** The D1 round trips a response reports in Server-Timing (src/lib/timing.ts), and the sequential count (test/idempotency.test.ts). */
function roundTrips(res: CallResult) {
  const header = res.headers.get("server-timing") ?? "";
  const d1 = [...header.matchAll(/(d1-\d+);desc="([^"]*)"/g)].map(([, , desc]) => desc!);
  const sequential = Number(/storage;desc="sequential round trips";dur=(\d+)/.exec(header)?.[1]);
  return { d1, sequential };
}

async function trail(token: string, subscriptionId: string) {
  const page = await expectOk(await call(`/v1/audit_logs?resource_type=webhook_subscription&resource_id=${subscriptionId}`, { token }));
  return page.data as { action: string; changes: { after: Record<string, unknown> | null } }[];
}

describe("POST /v1/webhook_subscriptions/{id}/test", () => {
  it("sends a signed ping to that endpoint only, now, and answers the attempt; nothing stored as an event or delivery; audited", async () => {
    const t = await createPartner();
    const sub = await subscribe(t, { url: HOOK });
    await subscribe(t, { url: OTHER });
    const r = receiver({ [HOOK]: () => new Response("pong from the receiver", { status: 200 }) });

    const res = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/test`, { method: "POST", token: t.token }));
    expect(res).toMatchObject({ object: "webhook_test", subscription_id: sub.id, event_type: "ping", url: HOOK, status_code: 200, outcome: "succeeded", error: null, response_excerpt: "pong from the receiver" });
    expect(res.event_id).toMatch(/^evt-/);
    expect(res.latency_ms).toEqual(expect.any(Number));

    // One request, to this subscription's URL only, signed both ways.
    expect(r.requests.map((q) => q.url)).toEqual([HOOK]);
    const req = r.requests[0]!;
    const payload = body(req);
    expect(payload).toMatchObject({ event_id: res.event_id, event_type: "ping", organization_id: null, livemode: false, object_version: 1, data: { ping: { webhook_subscription_id: sub.id, version: 1 } } });
    expect(req.headers.get("webhook-id")).toBe(res.event_id);
    expect(new Webhook(sub.secret).verify(req.body, Object.fromEntries(req.headers))).toEqual(payload);
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), sub.secret)).toBe(true);

    // Not an event, not a delivery: the events API and the outbox know nothing of it.
    expect(await outbox(t.partnerId)).toEqual([]);
    expect((await call(`/v1/events/${res.event_id}`, { token: t.token })).status).toBe(404);
    expect((await trail(t.token, sub.id)).map((a) => [a.action, a.changes.after])).toContainEqual(["test_sent", { event_id: res.event_id, url: HOOK, status_code: 200, outcome: "succeeded" }]);
  });

  it("with an Idempotency-Key, two concurrent tests send one ping: the duplicate gets 409 or the replay, never a second request", async () => {
    const t = await createPartner();
    const sub = await subscribe(t, { url: HOOK });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const r = receiver({ [HOOK]: async () => (await held, new Response("pong", { status: 200 })) });
    const send = () => call(`/v1/webhook_subscriptions/${sub.id}/test`, { method: "POST", token: t.token, headers: { "Idempotency-Key": "ping-once" } });

    const first = send();
    // Generous timeouts: under a loaded CI the first request may take more than waitFor's default 1 s.
    await vi.waitFor(() => expect(r.requests).toHaveLength(1), { timeout: 10_000 });
    const duplicate = await send();
    expectError(duplicate, 409, "idempotency_request_in_progress");
    release();
    const answered = await expectOk(await first);
    expect(answered).toMatchObject({ status_code: 200, outcome: "succeeded" });
    await vi.waitFor(async () => {
      const replay = await send();
      expect(replay.status, replay.text).toBe(200);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.body.event_id).toBe(answered.event_id);
    }, { timeout: 10_000, interval: 100 });
    expect(r.requests).toHaveLength(1);
  });

  it("an Idempotency-Key costs the ping no round trip: its claim rides in the subscription's read batch", async () => {
    const t = await createPartner();
    const sub = await subscribe(t, { url: HOOK });
    receiver({ [HOOK]: () => new Response("pong", { status: 200 }) });
    const ping = (key?: string) => call(`/v1/webhook_subscriptions/${sub.id}/test`, { method: "POST", token: t.token, headers: key ? { "Idempotency-Key": key } : {} });
    const [without, keyed] = [await ping(), await ping("ping-round-trips")];
    expect([without.status, keyed.status], keyed.text).toEqual([200, 200]);
    // The same sequential D1 round trips (the read, then the audit entry after the send); the
    // keyed read batch carries the claim's two statements (the upsert and the holder's select).
    const [plain, withKey] = [roundTrips(without), roundTrips(keyed)];
    expect(withKey.sequential).toBe(plain.sequential);
    expect(withKey.d1).toHaveLength(plain.d1.length);
    expect(withKey.d1[0]).toBe(`batch(${Number(/^batch\((\d+)\)$/.exec(plain.d1[0]!)![1]) + 2})`);
  });

  it("a failing endpoint: outcome failed with its status and excerpt, never retried; an unknown subscription → 404", async () => {
    const t = await createPartner();
    const sub = await subscribe(t, { url: HOOK });
    const r = receiver({ [HOOK]: () => new Response("Internal Server Error", { status: 500 }) });
    const res = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/test`, { method: "POST", token: t.token }));
    expect(res).toMatchObject({ status_code: 500, outcome: "failed", response_excerpt: "Internal Server Error" });
    expect(r.requests).toHaveLength(1);
    // The subscription's health is untouched by a test.
    expect((await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { token: t.token }))).failing_since).toBeNull();
    expectError(await call("/v1/webhook_subscriptions/wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/test", { method: "POST", token: t.token }), 404, "resource_missing", "id");
    const stranger = await createPartner();
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}/test`, { method: "POST", token: stranger.token }), 404, "resource_missing", "id");
  });
});

describe("POST /v1/webhook_subscriptions/{id}/recover", () => {
  /** Two invoices whose deliveries to HOOK failed (a 404 is final at once), and one to OTHER that succeeded. */
  async function failedWorld() {
    const t = await createPartner();
    const sub = await subscribe(t, { url: HOOK, events: ["invoice.created"] });
    const other = await subscribe(t, { url: OTHER, events: ["invoice.created"] });
    const w = await seedWorld(t);
    await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": w.org.id }, body: seedInvoiceBody(w.dept.id) }), 201);
    const events = await outbox(t.partnerId);
    const messages = await fanOut(events.map((e) => e.id));
    receiver({ [HOOK]: () => new Response("gone", { status: 404 }) });
    await runQueue(messages);
    const failed = [];
    for (const m of messages) {
      const d = await delivery(m.delivery_id);
      if (d!.subscription_id === sub.id) failed.push(d!);
    }
    expect(failed.map((d) => d.status)).toEqual(["failed", "failed"]);
    return { t, sub, other, events, failed };
  }

  it("restarts every failed delivery of that subscription since the time (a fresh run, sent now), answers what it queued, audited", async () => {
    const { t, sub, failed } = await failedWorld();
    const since = new Date(Date.now() - 3600_000).toISOString();
    const res = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/recover`, { token: t.token, body: { since } }));
    expect(res).toMatchObject({ object: "webhook_recovery", subscription_id: sub.id, since, queued_count: 2, has_more: false });
    expect(new Set(res.delivery_ids)).toEqual(new Set(failed.map((d) => d.id)));
    expect(new Set(res.event_ids)).toEqual(new Set(failed.map((d) => d.event_id)));
    for (const d of failed) expect(await delivery(d.id)).toMatchObject({ status: "pending", run: 2, attempts: 0 });
    expect((await trail(t.token, sub.id)).map((a) => [a.action, a.changes.after])).toContainEqual(["recovered", { since, delivery_count: 2 }]);

    // The endpoint is back: the new run's first attempt delivers.
    const r = receiver();
    await runQueue(res.delivery_ids.map((id: string) => ({ delivery_id: id, run: 2, attempt: 1 })));
    expect(r.requests.map((q) => body(q).event_id).sort()).toEqual([...res.event_ids].sort());
    for (const d of failed) expect(await delivery(d.id)).toMatchObject({ status: "succeeded" });

    // Nothing failed any more: a second recovery queues nothing, and its audit entry says so.
    expect(await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/recover`, { token: t.token, body: { since } }))).toMatchObject({ queued_count: 0, delivery_ids: [] });
    const recovered = (await trail(t.token, sub.id)).filter((a) => a.action === "recovered").map((a) => a.changes.after);
    expect(recovered).toHaveLength(2);
    expect(recovered).toContainEqual({ since, delivery_count: 0 });
  });

  it("with an Idempotency-Key the audit entry still counts the deliveries restarted (the key's claim rides in the same batch), and a retry replays", async () => {
    const { t, sub } = await failedWorld();
    const since = new Date(Date.now() - 3600_000).toISOString();
    const send = () => call(`/v1/webhook_subscriptions/${sub.id}/recover`, { token: t.token, body: { since }, headers: { "Idempotency-Key": "recover-once" } });
    const res = await expectOk(await send());
    expect(res).toMatchObject({ queued_count: 2 });
    expect((await trail(t.token, sub.id)).filter((a) => a.action === "recovered").map((a) => a.changes.after)).toEqual([{ since, delivery_count: 2 }]);
    await vi.waitFor(async () => {
      const again = await send();
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(res);
    });
    expect((await trail(t.token, sub.id)).filter((a) => a.action === "recovered")).toHaveLength(1);
  });

  it("only deliveries created since `since`; another subscription's are left alone", async () => {
    const { t, sub, other } = await failedWorld();
    const later = new Date(Date.now() + 30_000).toISOString();
    expect(await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/recover`, { token: t.token, body: { since: later } }))).toMatchObject({ queued_count: 0 });
    expect(await expectOk(await call(`/v1/webhook_subscriptions/${other.id}/recover`, { token: t.token, body: { since: new Date(Date.now() - 60_000).toISOString() } }))).toMatchObject({ queued_count: 0 });
  });

  it("since is required, an ISO date-time, not in the future, not older than the 90-day retention → 400 naming since; nothing written", async () => {
    const { t, sub, failed } = await failedWorld();
    const recover = (b: unknown) => call(`/v1/webhook_subscriptions/${sub.id}/recover`, { token: t.token, body: b });
    expectError(await recover({}), 400, "invalid_parameter", "since");
    expectError(await recover({ since: "yesterday" }), 400, "invalid_parameter", "since");
    expectError(await recover({ since: 1733400000 }), 400, "invalid_parameter", "since");
    expectError(await recover({ since: new Date(Date.now() + 3600_000).toISOString() }), 400, "since_in_future", "since");
    expectError(await recover({ since: new Date(Date.now() - 91 * 86_400_000).toISOString() }), 400, "since_out_of_retention", "since");
    for (const d of failed) expect(await delivery(d.id)).toMatchObject({ status: "failed", run: 1 });
    expect((await trail(t.token, sub.id)).map((a) => a.action)).not.toContain("recovered");

    await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { status: "disabled" } }));
    expectError(await recover({ since: new Date(Date.now() - 60_000).toISOString() }), 409, "subscription_disabled");
  });
});
