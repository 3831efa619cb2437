import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { SCHEDULES } from "../../src/cron";
import { CRASH_RETRY_DELAY_SECONDS, DELIVERY_TIMEOUT_MS } from "../../src/domain/webhook-retry";
import type { Env, WebhookMessage } from "../../src/env";
import worker from "../../src/index";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";
import { body, delivery, deliveryMessages, fanOut, hang, outbox, receiver, runQueue, seedVerifies, subscribe, type QueueRun , runCron } from "./helpers";

/**
 * The webhooks queue consumer, driven message by message as Cloudflare Queues would: fan-out,
 * signed POSTs, the retry schedule, final failures, the dead-letter queue, redelivery, secret
 * rotation, the 3-day disable rule, the cron relays, and receivers that misbehave.
 */

const HOOK = "http://127.0.0.1:9999/hook";
const OTHER_HOOK = "http://127.0.0.1:9998/other";
/** The partners here are in test mode: its accelerated schedule (domain/webhook-retry.ts; live's is tested there). */
const SCHEDULE = [2, 5, 10, 20];

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** How much faster than asked delivery timeouts run here: the 10 s wait of a hung receiver, in 2 s. */
const TIMEOUT_SPEEDUP = 5;

/** The worker's AbortSignal.timeout, on a faster clock; returns the timeouts it was asked for. */
function fasterTimeouts(): number[] {
  const asked: number[] = [];
  const timeout = AbortSignal.timeout.bind(AbortSignal);
  vi.spyOn(AbortSignal, "timeout").mockImplementation((ms: number) => {
    asked.push(ms);
    return timeout(ms / TIMEOUT_SPEEDUP);
  });
  return asked;
}

/** Moves the clock forward (Date only), as the queue's delay would. API calls after it use the secret key (tokens expire). */
function travel(ms: number) {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  vi.setSystemTime(Date.now() + ms);
}

/** A partner subscribed (events "*") on HOOK, then seed 001's world: its draft invoice emits invoice.created. */
async function world(subscription: Record<string, unknown> = {}) {
  const t = await createPartner();
  const sub = await subscribe(t, { url: HOOK, ...subscription });
  const w = await seedWorld(t);
  const [event] = await outbox(t.partnerId);
  return { t, sub, w, event: event! };
}

async function newInvoiceEvent(t: Tenant, orgId: string, deptId: string) {
  const invoice = await expectOk(await call("/v1/invoices", { token: t.credential.secret_key, headers: { "x-entity-id": orgId }, body: seedInvoiceBody(deptId) }), 201);
  const events = await outbox(t.partnerId);
  return { invoice, event: events[events.length - 1]! };
}

const api = (t: Tenant, path: string, init: { method?: string; body?: unknown } = {}) => call(path, { token: t.credential.secret_key, ...init });

/**
 * A retryable failure is acknowledged and its next attempt sent as a new message, with the
 * schedule's delay; the queue itself retries nothing. Returns that message and its delay.
 */
function nextAttempt(run: QueueRun, deliveryId: string, attempt: number, copies = 1) {
  expect(run.acked.sort()).toEqual(Array.from({ length: copies }, (_, i) => `msg-${i}`));
  expect(run.retried).toEqual([]);
  expect(run.scheduled).toHaveLength(1);
  const [next] = run.scheduled;
  expect(next!.body).toEqual({ delivery_id: deliveryId, run: expect.any(Number), attempt });
  return { message: next!.body as { delivery_id: string; run: number; attempt: number }, delaySeconds: next!.delaySeconds! };
}

describe("fan-out", () => {
  it("one delivery and one message per subscription that wants the event; nobody else", async () => {
    const t = await createPartner();
    const other = await expectOk(await call("/v1/organizations", { token: t.token, body: { type: "company", name: "Autre", siret: "55208131766522" } }), 201);
    const all = await subscribe(t, { url: HOOK });
    const typed = await subscribe(t, { url: OTHER_HOOK, events: ["invoice.created"] });
    await subscribe(t, { url: "http://127.0.0.1:9997/refunds", events: ["refund.created"] });
    await subscribe(t, { url: "http://127.0.0.1:9996/other-org", organization_ids: [other.id] });
    const disabled = await subscribe(t, { url: "http://127.0.0.1:9995/disabled" });
    await expectOk(await call(`/v1/webhook_subscriptions/${disabled.id}`, { method: "PATCH", token: t.token, body: { status: "disabled" } }));
    const stranger = await createPartner();
    await subscribe(stranger, { url: "http://127.0.0.1:9994/stranger" });

    const w = await seedWorld(t);
    const [event] = await outbox(t.partnerId);
    expect(event!.type).toBe("invoice.created");
    await subscribe(t, { url: "http://127.0.0.1:9993/too-late" });

    const messages = await fanOut([event!.id]);
    expect(messages).toHaveLength(2);
    const rows = await Promise.all(messages.map((m) => delivery(m.delivery_id)));
    expect(rows.map((r) => r!.subscription_id).sort()).toEqual([all.id, typed.id].sort());
    expect(rows.every((r) => r!.status === "pending" && r!.run === 1 && r!.attempts === 0 && r!.event_id === event!.id)).toBe(true);
    expect(messages.every((m) => m.run === 1)).toBe(true);

    const r = receiver();
    const run = await runQueue(messages);
    expect(run.acked.sort()).toEqual(["msg-0", "msg-1"]);
    expect(r.requests.map((q) => q.url).sort()).toEqual([HOOK, OTHER_HOOK].sort());
    expect(w.invoice.id).toBe(body(r.requests[0]!).data.invoice_id);

    // The same event fanned out again (at-least-once queue, relay): nothing new, nothing resent.
    expect(await fanOut([event!.id])).toEqual([]);
    expect(r.requests).toHaveLength(2);
  });

  it("an event with no matching subscription, or an unknown event, is acknowledged and sends nothing", async () => {
    const t = await createPartner();
    await seedWorld(t);
    const [event] = await outbox(t.partnerId);
    const run = await runQueue([{ event_id: event!.id }, { event_id: "evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }]);
    expect(run.acked.sort()).toEqual(["msg-0", "msg-1"]);
    expect(run.sent).toEqual([]);
  });
});

describe("an attempt", () => {
  it("POSTs DESIGN.md §4's body, signed so that seed 001's Node verifier accepts it, with X-Webhook-Id and X-Webhook-Timestamp", async () => {
    const { sub, w, event } = await world();
    const [message] = await fanOut([event.id]);
    const r = receiver();
    const before = Math.floor(Date.now() / 1000);
    const run = await runQueue([message!]);
    expect(run.acked).toEqual(["msg-0"]);
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe(HOOK);
    expect(req.redirect).toBe("manual");
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(req.headers.get("x-webhook-id")).toBe(event.id);
    expect(Number(req.headers.get("x-webhook-timestamp"))).toBeGreaterThanOrEqual(before);
    expect(Number(req.headers.get("x-webhook-timestamp"))).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(req.headers.get("x-webhook-attempt")).toBe("1");
    expect(req.headers.get("x-webhook-signature")).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), sub.secret)).toBe(true);
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), "whsec_someone_else")).toBe(false);
    expect(req.headers.get("x-webhook-signature-previous")).toBeNull();
    // Standard Webhooks, verified by its own library unchanged: webhook-id is the event id, webhook-timestamp the attempt's.
    expect(req.headers.get("webhook-id")).toBe(event.id);
    expect(req.headers.get("webhook-timestamp")).toBe(req.headers.get("x-webhook-timestamp"));
    expect(req.headers.get("webhook-signature")).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(sub.secret).verify(req.body, Object.fromEntries(req.headers))).toEqual(JSON.parse(req.body));
    expect(() => new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").verify(req.body, Object.fromEntries(req.headers))).toThrow(WebhookVerificationError);

    const payload = body(req);
    expect(Object.keys(payload)).toEqual(["event_id", "event_type", "timestamp", "organization_id", "livemode", "object_version", "data"]);
    expect(payload).toMatchObject({ event_id: event.id, event_type: "invoice.created", organization_id: w.org.id, livemode: false });
    expect(payload.data.invoice.id).toBe(w.invoice.id);
    expect(payload.object_version).toBe(payload.data.invoice.version);
    expect(typeof payload.object_version).toBe("number");

    const row = await delivery(message!.delivery_id);
    expect(row).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200, next_attempt_at: null });
  });

  it("500 four times, then 200: delivered at the 5th attempt, each retry after test mode's delay (+2 s, +5 s, +10 s, +20 s, ±10 %)", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    const r = receiver({ [HOOK]: (_req, n) => new Response(n <= 4 ? "Internal Server Error" : "ok", { status: n <= 4 ? 500 : 200 }) });

    expect(message).toEqual({ delivery_id: message!.delivery_id, run: 1, attempt: 1 });
    let current: WebhookMessage = message!;
    for (let attempt = 1; attempt <= 4; attempt++) {
      // Attempt 3 comes as two copies side by side (at-least-once queue): one request, one next message.
      const copies = attempt === 3 ? 2 : 1;
      const run = await runQueue(Array.from({ length: copies }, () => current));
      expect(r.requests).toHaveLength(attempt);
      const next = nextAttempt(run, message!.delivery_id, attempt + 1, copies);
      const delay = next.delaySeconds;
      expect(delay).toBeGreaterThanOrEqual(Math.round(SCHEDULE[attempt - 1]! * 0.9));
      expect(delay).toBeLessThanOrEqual(Math.round(SCHEDULE[attempt - 1]! * 1.1));
      const row = await delivery(message!.delivery_id);
      expect(row).toMatchObject({ status: "pending", attempts: attempt, last_status_code: 500 });
      // The row says when the next attempt is due (what the delivery relay goes by).
      expect(Math.abs(Date.parse(row!.next_attempt_at!) - (Date.now() + delay * 1000))).toBeLessThan(2_000);

      if (attempt === 1) {
        // The message delivered twice (at-least-once queue): its attempt is made; no extra request.
        const again = await runQueue([current]);
        expect(again.acked).toEqual(["msg-0"]);
        expect(again.scheduled).toEqual([]);
        // The next attempt's message arriving before it is due is dropped too.
        const early = await runQueue([next.message]);
        expect(early.acked).toEqual(["msg-0"]);
        expect(early.scheduled).toEqual([]);
        expect(r.requests).toHaveLength(1);
      }
      travel(delay * 1000);
      current = next.message;
    }
    const last = await runQueue([current]);
    expect(last.acked).toEqual(["msg-0"]);
    expect(last.retried).toEqual([]);
    expect(last.scheduled).toEqual([]);
    expect(r.requests).toHaveLength(5);
    expect(r.requests.map((q) => q.headers.get("x-webhook-attempt"))).toEqual(["1", "2", "3", "4", "5"]);
    // Every attempt carries the same body and the same event id: receivers de-duplicate on it.
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.headers.get("x-webhook-id")))).toEqual(new Set([event.id]));
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "succeeded", attempts: 5, last_status_code: 200 });

    const deliveries = await expectOk(await api(t, `/v1/events/${event.id}/deliveries`));
    expect(deliveries.data).toHaveLength(1);
    const d = deliveries.data[0];
    expect(d).toMatchObject({ object: "webhook_delivery", status: "succeeded", attempt_count: 5, run: 1, url: HOOK, last_status_code: 200 });
    expect(d.attempts.map((a: any) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, "retrying"],
      [2, 500, "retrying"],
      [3, 500, "retrying"],
      [4, 500, "retrying"],
      [5, 200, "succeeded"],
    ]);
    expect(d.attempts[0].response_excerpt).toBe("Internal Server Error");
    expect(typeof d.attempts[0].latency_ms).toBe("number");
    expect((await expectOk(await api(t, `/v1/events/${event.id}`))).delivery_status).toBe("succeeded");
  });

  it("500 forever: failed after the 5th attempt (acknowledged, not retried), visible, and redeliver fixes it", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    let healthy = false;
    const r = receiver({ [HOOK]: () => new Response(healthy ? "ok" : "down", { status: healthy ? 200 : 503 }) });
    let current: WebhookMessage = message!;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const run = await runQueue([current]);
      if (attempt < 5) {
        const next = nextAttempt(run, message!.delivery_id, attempt + 1);
        travel(next.delaySeconds * 1000);
        current = next.message;
      } else {
        expect(run.retried).toEqual([]);
        expect(run.scheduled).toEqual([]);
        expect(run.acked).toEqual(["msg-0"]);
      }
    }
    expect(r.requests).toHaveLength(5);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "failed", attempts: 5, last_status_code: 503, next_attempt_at: null });
    const failed = await expectOk(await api(t, "/v1/events?delivery_status=failed"));
    expect(failed.data.map((e: { id: string }) => e.id)).toEqual([event.id]);

    healthy = true;
    const redelivered = await expectOk(await api(t, `/v1/events/${event.id}/redeliver`, { method: "POST" }));
    expect(redelivered).toMatchObject({ object: "redelivery", event_id: event.id });
    expect(redelivered.deliveries).toHaveLength(1);
    expect(redelivered.deliveries[0]).toMatchObject({ id: message!.delivery_id, status: "pending", run: 2, attempt_count: 0 });
    expect(redelivered.deliveries[0].attempts).toHaveLength(5);

    // A message left over from the first run is dropped; the new run's message delivers.
    const stale = await runQueue([message!]);
    expect(stale.acked).toEqual(["msg-0"]);
    expect(r.requests).toHaveLength(5);
    const fixed = await runQueue([{ delivery_id: message!.delivery_id, run: 2, attempt: 1 }]);
    expect(fixed.acked).toEqual(["msg-0"]);
    expect(r.requests).toHaveLength(6);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "succeeded", run: 2, attempts: 1, last_status_code: 200 });
    expect((await expectOk(await api(t, "/v1/events?delivery_status=failed"))).data).toEqual([]);
    const history = (await expectOk(await api(t, `/v1/events/${event.id}/deliveries`))).data[0].attempts;
    expect(history.map((a: any) => [a.run, a.attempt, a.status_code])).toEqual([
      [1, 1, 503],
      [1, 2, 503],
      [1, 3, 503],
      [1, 4, 503],
      [1, 5, 503],
      [2, 1, 200],
    ]);
  });

  it.each([400, 401, 404, 410, 422])("a %i is final: failed after one attempt, not retried", async (status) => {
    const { event } = await world();
    const [message] = await fanOut([event.id]);
    const r = receiver({ [HOOK]: () => new Response("no", { status }) });
    const run = await runQueue([message!]);
    expect(run.acked).toEqual(["msg-0"]);
    expect(run.retried).toEqual([]);
    expect(r.requests).toHaveLength(1);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "failed", attempts: 1, last_status_code: status });
  });

  it.each([408, 429, 500, 502, 503, 504])("a %i is retried", async (status) => {
    const { event } = await world();
    const [message] = await fanOut([event.id]);
    receiver({ [HOOK]: () => new Response("later", { status }) });
    const run = await runQueue([message!]);
    nextAttempt(run, message!.delivery_id, 2);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "pending", attempts: 1, last_status_code: status });
  });

  it("a network error is retried, with the error recorded", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const run = await runQueue([message!]);
    nextAttempt(run, message!.delivery_id, 2);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "pending", last_status_code: null, last_error: "network error: connection refused" });
    const attempt = (await expectOk(await api(t, `/v1/events/${event.id}/deliveries`))).data[0].attempts[0];
    expect(attempt).toMatchObject({ status_code: null, outcome: "retrying", error: "network error: connection refused", response_excerpt: null });
  });
});

describe("receivers that misbehave never block the queue", () => {
  it("one that hangs is cut after 10 s and retried; a healthy one in the same batch is not held up", async () => {
    const t = await createPartner();
    const slow = await subscribe(t, { url: HOOK });
    const fast = await subscribe(t, { url: OTHER_HOOK });
    await seedWorld(t);
    const [event] = await outbox(t.partnerId);
    const messages = await fanOut([event!.id]);
    const bySub = async (subId: string) => messages[(await Promise.all(messages.map((m) => delivery(m.delivery_id)))).findIndex((d) => d!.subscription_id === subId)]!;
    const ordered = [await bySub(slow.id), await bySub(fast.id)];

    const asked = fasterTimeouts();
    let cutAt = Infinity;
    const r = receiver({
      [HOOK]: (_req, _n, signal) => {
        signal?.addEventListener("abort", () => (cutAt = Date.now()));
        return hang(signal);
      },
    });
    const started = Date.now();
    const run = await runQueue(ordered);
    const elapsed = Date.now() - started;
    // Each attempt gets DELIVERY_TIMEOUT_MS (10 s), counted here on a clock TIMEOUT_SPEEDUP times faster.
    expect(asked).toEqual([DELIVERY_TIMEOUT_MS, DELIVERY_TIMEOUT_MS]);
    expect(elapsed).toBeGreaterThanOrEqual((DELIVERY_TIMEOUT_MS / TIMEOUT_SPEEDUP) * 0.95);
    expect(elapsed).toBeLessThan(DELIVERY_TIMEOUT_MS / TIMEOUT_SPEEDUP + 5_000);
    expect(run.acked.sort()).toEqual(["msg-0", "msg-1"]);
    expect(run.retried).toEqual([]);
    expect(run.sent).toEqual([{ delivery_id: ordered[0]!.delivery_id, run: 1, attempt: 2 }]);
    // The healthy receiver was called while the other still hung (the batch's deliveries run side by side).
    expect(r.to(OTHER_HOOK)[0]!.at).toBeLessThan(cutAt);
    expect(await delivery(ordered[1]!.delivery_id)).toMatchObject({ status: "succeeded" });
    expect(await delivery(ordered[0]!.delivery_id)).toMatchObject({ status: "pending", last_status_code: null, last_error: "timeout: no response within 10 s" });
  });

  it("a redirect is not followed: recorded with its Location, retried", async () => {
    const { event } = await world();
    const [message] = await fanOut([event.id]);
    const r = receiver({ [HOOK]: () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } }) });
    const run = await runQueue([message!]);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.redirect).toBe("manual");
    nextAttempt(run, message!.delivery_id, 2);
    expect(await delivery(message!.delivery_id)).toMatchObject({
      status: "pending",
      last_status_code: 302,
      last_error: "redirect not followed (Location: http://169.254.169.254/latest/meta-data)",
    });
  });

  it("an endless body: at most 64 KB is read, 500 characters kept, the delivery done at once", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    let pulled = 0;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 16_384;
          controller.enqueue(new TextEncoder().encode("A".repeat(16_384)));
        },
      });
    receiver({ [HOOK]: () => new Response(endless(), { status: 200 }) });
    const started = Date.now();
    const run = await runQueue([message!]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.acked).toEqual(["msg-0"]);
    expect(pulled).toBeLessThanOrEqual(64 * 1024 + 3 * 16_384);
    const attempt = (await expectOk(await api(t, `/v1/events/${event.id}/deliveries`))).data[0].attempts[0];
    expect(attempt).toMatchObject({ status_code: 200, outcome: "succeeded" });
    expect(attempt.response_excerpt).toBe("A".repeat(500));
  });

  it("a garbage (binary) body with a 500 is stored as an excerpt and retried", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    const garbage = new Uint8Array(2000).map((_, i) => (i * 37) % 256);
    receiver({ [HOOK]: () => new Response(garbage, { status: 500, headers: { "content-type": "application/octet-stream" } }) });
    const run = await runQueue([message!]);
    nextAttempt(run, message!.delivery_id, 2);
    const attempt = (await expectOk(await api(t, `/v1/events/${event.id}/deliveries`))).data[0].attempts[0];
    expect(attempt.status_code).toBe(500);
    expect(attempt.response_excerpt.length).toBeLessThanOrEqual(500);
  });
});

describe("secret rotation", () => {
  it("signs with the new secret, and for 24 h also with the old one in X-Webhook-Signature-Previous; then only the new", async () => {
    const { t, sub, event } = await world();
    const rotated = await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}/rotate_secret`, { method: "POST" }));
    const [message] = await fanOut([event.id]);
    const r = receiver();
    await runQueue([message!]);
    const req = r.requests[0]!;
    // Seed 001's verifier, unchanged: with the new secret on X-Webhook-Signature…
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), rotated.secret)).toBe(true);
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature"), sub.secret)).toBe(false);
    // …and, for a receiver not switched yet, with the old secret on X-Webhook-Signature-Previous.
    expect(seedVerifies(req.body, req.headers.get("x-webhook-signature-previous"), sub.secret)).toBe(true);
    // Standard Webhooks lists both secrets' signatures in one header: a receiver on either secret verifies.
    expect(req.headers.get("webhook-signature")!.split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.secret).verify(req.body, Object.fromEntries(req.headers))).toEqual(JSON.parse(req.body));
    expect(new Webhook(sub.secret).verify(req.body, Object.fromEntries(req.headers))).toEqual(JSON.parse(req.body));

    travel(24 * 3600_000 + 1_000);
    await expectOk(await api(t, `/v1/events/${event.id}/redeliver`, { method: "POST", body: { subscription_id: sub.id } }));
    await runQueue([{ delivery_id: message!.delivery_id, run: 2, attempt: 1 }]);
    const after = r.requests[1]!;
    expect(seedVerifies(after.body, after.headers.get("x-webhook-signature"), rotated.secret)).toBe(true);
    expect(after.headers.get("x-webhook-signature-previous")).toBeNull();
    expect(after.headers.get("webhook-signature")!.split(" ")).toHaveLength(1);
    expect(() => new Webhook(sub.secret).verify(after.body, Object.fromEntries(after.headers))).toThrow(WebhookVerificationError);
    expect((await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`))).previous_secret_expires_at).toBeNull();
  });
});

describe("dead letters and failures of the consumer itself", () => {
  it("a message whose processing throws is retried by the queue after the crash delay, never acknowledged", async () => {
    const { event } = await world();
    const [message] = await fanOut([event.id]);
    const r = receiver();
    vi.spyOn(env.DB, "prepare").mockImplementation(() => {
      throw new Error("D1_ERROR: storage unavailable");
    });
    const run = await runQueue([message!, { event_id: event.id }]);
    vi.mocked(env.DB.prepare).mockRestore();
    expect(run.acked).toEqual([]);
    expect(run.retried.map((x) => x.id).sort()).toEqual(["msg-0", "msg-1"]);
    expect(run.retried.map((x) => x.delaySeconds)).toEqual([CRASH_RETRY_DELAY_SECONDS, CRASH_RETRY_DELAY_SECONDS]);
    expect(r.requests).toEqual([]);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("the dead-letter consumer marks a delivery failed (visible, redeliverable) and sends an event back to the outbox", async () => {
    const { t, event } = await world();
    const [message] = await fanOut([event.id]);
    const run = await runQueue([message!, { event_id: event.id }], { queue: "webhooks-dlq" });
    expect(run.acked.sort()).toEqual(["msg-0", "msg-1"]);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "failed", last_error: "dead-lettered: the delivery could not be processed" });
    expect((await expectOk(await api(t, `/v1/events/${event.id}`))).delivery_status).toBe("failed");
    expect((await outbox(t.partnerId))[0]!.enqueued_at).toBeNull();

    // The relay cron hands the event to the queue again; its delivery is repaired by redeliver.
    travel(60_000);
    const relayed = await runCron(new Date());
    expect(relayed).toContainEqual({ event_id: event.id });
    const r = receiver();
    await expectOk(await api(t, `/v1/events/${event.id}/redeliver`, { method: "POST" }));
    await runQueue([{ delivery_id: message!.delivery_id, run: 2, attempt: 1 }]);
    expect(r.requests).toHaveLength(1);
    expect((await expectOk(await api(t, `/v1/events/${event.id}`))).delivery_status).toBe("succeeded");
  });
});

describe("nothing lost", () => {
  it("an event committed but never enqueued is found by the relay cron and delivered", async () => {
    const { sub, event } = await world();
    // As if the worker died between the commit and the send.
    await env.DB.prepare("UPDATE events SET enqueued_at = NULL WHERE id = ?").bind(event.id).run();
    travel(60_000);
    const relayed = await runCron(new Date());
    expect(relayed).toContainEqual({ event_id: event.id });
    // Relayed once: the next run finds it enqueued.
    expect(await runCron(new Date())).not.toContainEqual({ event_id: event.id });
    const messages = await fanOut([event.id]);
    const r = receiver();
    await runQueue(messages);
    expect(r.requests).toHaveLength(1);
    expect(seedVerifies(r.requests[0]!.body, r.requests[0]!.headers.get("x-webhook-signature"), sub.secret)).toBe(true);
  });

  it("a delivery whose message was lost is sent again by the delivery relay, once it is 10 minutes overdue", async () => {
    const { event } = await world();
    const [message] = await fanOut([event.id]);
    travel(60_000);
    expect(await runCron(new Date())).not.toContainEqual(message);
    travel(10 * 60_000);
    const relayed = await runCron(new Date());
    expect(relayed).toContainEqual(message);
    expect(await runCron(new Date())).not.toContainEqual(message);
    const r = receiver();
    await runQueue([message!]);
    expect(r.requests).toHaveLength(1);
    expect(await delivery(message!.delivery_id)).toMatchObject({ status: "succeeded" });
  });
});

describe("subscriptions that change under a delivery", () => {
  it("a URL that no longer passes the address rules is never fetched: the delivery fails, saying why", async () => {
    const { event, sub } = await world();
    const [message] = await fanOut([event.id]);
    await env.DB.prepare("UPDATE webhook_subscriptions SET url = 'https://169.254.169.254/latest/meta-data' WHERE id = ?").bind(sub.id).run();
    const r = receiver();
    const run = await runQueue([message!]);
    expect(run.acked).toEqual(["msg-0"]);
    expect(r.requests).toEqual([]);
    const row = await delivery(message!.delivery_id);
    expect(row).toMatchObject({ status: "failed", last_status_code: null });
    expect(row!.last_error).toMatch(/^URL refused, not sent: names a link-local/);
  });

  it.each([
    ["deleted", { method: "DELETE" }],
    ["disabled", { method: "PATCH", body: { status: "disabled" } }],
  ] as const)("a %s subscription's pending delivery ends failed, without a request", async (state, change) => {
    const { t, event, sub } = await world();
    const messages = await fanOut([event.id]);
    expect(messages).toHaveLength(1);
    await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { token: t.token, ...change }));
    const r = receiver();
    const run = await runQueue(messages);
    expect(run.acked).toEqual(["msg-0"]);
    expect(r.requests).toEqual([]);
    expect(await delivery(messages[0]!.delivery_id)).toMatchObject({ status: "failed", last_error: `subscription ${state}`, attempts: 0 });
  });
});

describe("a subscription failing for 3 days in a row", () => {
  it("is disabled, with an audit entry saying so; its pending deliveries then end failed", async () => {
    const { t, sub, w, event } = await world();
    receiver({ [HOOK]: () => new Response("gone", { status: 410 }) });
    await runQueue(await fanOut([event.id]));
    expect((await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`))).failing_since).not.toBeNull();

    travel(2 * 24 * 3600_000);
    const second = await newInvoiceEvent(t, w.org.id, w.dept.id);
    await runQueue(await fanOut([second.event.id]));
    expect((await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`))).status).toBe("active");

    travel(24 * 3600_000 + 60_000);
    const third = await newInvoiceEvent(t, w.org.id, w.dept.id);
    const fourth = await newInvoiceEvent(t, w.org.id, w.dept.id);
    const [thirdMessage] = await fanOut([third.event.id]);
    const [fourthMessage] = await fanOut([fourth.event.id]);
    await runQueue([thirdMessage!]);
    const disabled = await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`));
    expect(disabled).toMatchObject({ status: "disabled", disabled_reason: "failing_deliveries" });

    const audit = await env.DB.prepare("SELECT action, user_type, user_id, changes FROM audit_logs WHERE resource_id = ? AND action = 'disabled'").bind(sub.id).all<{
      action: string;
      user_type: string;
      user_id: string;
      changes: string;
    }>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]).toMatchObject({ user_type: "system", user_id: "webhook-delivery" });
    expect(JSON.parse(audit.results[0]!.changes)).toMatchObject({ before: { status: "active" }, after: { status: "disabled", disabled_reason: "failing_deliveries" } });

    const requestsBefore = vi.mocked(globalThis.fetch).mock.calls.length;
    await runQueue([fourthMessage!]);
    expect(vi.mocked(globalThis.fetch).mock.calls.length).toBe(requestsBefore);
    expect(await delivery(fourthMessage!.delivery_id)).toMatchObject({ status: "failed", last_error: "subscription disabled" });
    // New events no longer reach it.
    const fifth = await newInvoiceEvent(t, w.org.id, w.dept.id);
    expect(await fanOut([fifth.event.id])).toEqual([]);
  });

  it("a success in between resets the clock", async () => {
    const { t, sub, w, event } = await world();
    let status = 500;
    receiver({ [HOOK]: () => new Response("", { status }) });
    await runQueue(await fanOut([event.id]));
    travel(2 * 24 * 3600_000);
    status = 200;
    const ok = await newInvoiceEvent(t, w.org.id, w.dept.id);
    await runQueue(await fanOut([ok.event.id]));
    expect((await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`))).failing_since).toBeNull();
    travel(24 * 3600_000 + 60_000);
    status = 500;
    const failing = await newInvoiceEvent(t, w.org.id, w.dept.id);
    await runQueue(await fanOut([failing.event.id]));
    expect(await expectOk(await api(t, `/v1/webhook_subscriptions/${sub.id}`))).toMatchObject({ status: "active", disabled_reason: null });
  });
});
