import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { SCHEDULES } from "../../src/cron";
import {
  ATTEMPT_LEASE_SECONDS,
  CRASH_RETRIES,
  CRASH_RETRY_DELAY_SECONDS,
  MAX_ATTEMPTS,
  MAX_QUEUE_DELAY_SECONDS,
  RETRY_DELAYS_SECONDS,
  retryDelaySeconds,
} from "../../src/domain/webhook-retry";
import type { Env, WebhookMessage } from "../../src/env";
import worker from "../../src/index";
import { call, createPartner, expectOk, seedWorld } from "../helpers/harness";
import { delivery, deliveryMessages, fanOut, outbox, receiver, runQueue, subscribe , runCron } from "./helpers";

/**
 * Issue 10 §3: the HTTP retry schedule (5 attempts) and the queue's own retries (crashes of the
 * consumer) are two budgets. The queue here is simulated with wrangler.toml's own settings for
 * the webhooks consumer: a retried message comes back after `retry_delay` (or the delay it was
 * retried with), a message retried more than `max_retries` times goes to the dead-letter queue.
 */

const HOOK = "http://127.0.0.1:9999/hook";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function travel(ms: number) {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  vi.setSystemTime(Date.now() + ms);
}

/** The `[[queues.consumers]]` and `[[queues.producers]]` tables of wrangler.toml (flat key = value lines). */
function queueTables(kind: "consumers" | "producers"): Record<string, string | number>[] {
  const tables: Record<string, string | number>[] = [];
  let current: Record<string, string | number> | null = null;
  for (const raw of wranglerToml.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line.startsWith("[")) {
      current = line === `[[queues.${kind}]]` ? {} : null;
      if (current) tables.push(current);
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (current && kv) current[kv[1]!] = kv[2]!.startsWith('"') ? JSON.parse(kv[2]!) : Number(kv[2]);
  }
  return tables;
}

function consumer(queue: string) {
  const c = queueTables("consumers").find((t) => t.queue === queue);
  if (!c) throw new Error(`wrangler.toml has no consumer for ${queue}`);
  return c as { queue: string; max_retries: number; retry_delay: number; dead_letter_queue?: string };
}

/** A D1 that fails the next `prepare`s or `batch`es it is told to, as a storage blip would, then works. */
function faultyD1() {
  const faults = { prepare: 0, batch: 0 };
  const lost = () => new Error("D1_ERROR: Network connection lost.");
  const d1 = {
    prepare: (query: string) => {
      if (faults.prepare > 0) {
        faults.prepare--;
        throw lost();
      }
      return env.DB.prepare(query);
    },
    batch: async (statements: D1PreparedStatement[]) => {
      if (faults.batch > 0) {
        faults.batch--;
        throw lost();
      }
      return env.DB.batch(statements);
    },
    exec: (query: string) => env.DB.exec(query),
    dump: () => env.DB.dump(),
    withSession: (constraint?: string) => env.DB.withSession(constraint),
  } as unknown as D1Database;
  return { d1, faults };
}

interface Queued {
  body: WebhookMessage;
  /** How many times the queue has handed this message over, this time included (Message.attempts). */
  attempts: number;
  at: number;
}

/**
 * The webhooks queue as Cloudflare runs it, with wrangler.toml's consumer settings: messages come
 * in due order (the clock moves to each), what the consumer sends is queued with its delay, a
 * retried message comes back after its delay or `retry_delay`, and one retried `max_retries`
 * times already goes to the dead-letter queue, whose consumer then runs.
 */
function simulatedQueue(db: D1Database) {
  const settings = consumer("webhooks");
  const queue: Queued[] = [];
  const deadLettered: WebhookMessage[] = [];
  const handled: { body: WebhookMessage; attempts: number; outcome: "acked" | "retried" | "dead-lettered" }[] = [];
  const enqueue = (body: WebhookMessage, delaySeconds = 0, attempts = 1) => queue.push({ body, attempts, at: Date.now() + delaySeconds * 1000 });

  async function step() {
    queue.sort((a, b) => a.at - b.at);
    const m = queue.shift()!;
    if (m.at > Date.now()) travel(m.at - Date.now());
    const run = await runQueue([m.body], { attempts: m.attempts, db });
    for (const s of run.scheduled) enqueue(s.body, s.delaySeconds);
    if (run.retried.length === 0) {
      expect(run.acked).toEqual(["msg-0"]);
      handled.push({ body: m.body, attempts: m.attempts, outcome: "acked" });
    } else if (m.attempts > settings.max_retries) {
      handled.push({ body: m.body, attempts: m.attempts, outcome: "dead-lettered" });
      deadLettered.push(m.body);
      expect((await runQueue([m.body], { queue: settings.dead_letter_queue!, db })).acked).toEqual(["msg-0"]);
    } else {
      handled.push({ body: m.body, attempts: m.attempts, outcome: "retried" });
      enqueue(m.body, run.retried[0]!.delaySeconds ?? settings.retry_delay, m.attempts + 1);
    }
  }

  return {
    enqueue,
    handled,
    deadLettered,
    /** Runs the queue until it is empty (a bound keeps a bug from looping forever). */
    async drain(before?: (next: Queued) => void) {
      for (let n = 0; queue.length > 0; n++) {
        if (n > 50) throw new Error("the queue never emptied");
        queue.sort((a, b) => a.at - b.at);
        before?.(queue[0]!);
        await step();
      }
    },
  };
}

/** A partner subscribed on HOOK, seed 001's world, and the delivery message of its invoice.created. */
async function oneDelivery() {
  const t = await createPartner();
  await subscribe(t, { url: HOOK });
  await seedWorld(t);
  const [event] = await outbox(t.partnerId);
  const [message] = await fanOut([event!.id]);
  return { t, event: event!, message: message! };
}

async function history(t: { credential: { secret_key: string } }, eventId: string) {
  const d = (await expectOk(await call(`/v1/events/${eventId}/deliveries`, { token: t.credential.secret_key }))).data[0];
  return d.attempts.map((a: { run: number; attempt: number; status_code: number | null; outcome: string }) => [a.attempt, a.status_code, a.outcome]);
}

describe("wrangler.toml and the schedule module agree", () => {
  it("the webhooks consumer's retries are the crash budget (CRASH_RETRIES after CRASH_RETRY_DELAY_SECONDS); the HTTP schedule is 5 attempts of its own", () => {
    const webhooks = consumer("webhooks");
    expect(webhooks.max_retries).toBe(CRASH_RETRIES);
    expect(webhooks.retry_delay).toBe(CRASH_RETRY_DELAY_SECONDS);
    expect(webhooks.dead_letter_queue).toBe("webhooks-dlq");
    // A crashed message comes back once the attempt it may have claimed has lost its lease.
    expect(webhooks.retry_delay).toBeGreaterThan(ATTEMPT_LEASE_SECONDS);
    expect(consumer("webhooks-dlq").max_retries).toBeGreaterThanOrEqual(1);
    // The next attempt is a new message through the producer binding, delayed by the schedule.
    expect(queueTables("producers")).toContainEqual({ queue: "webhooks", binding: "WEBHOOKS" });

    // Seed 001 / DESIGN.md §Webhooks: 5 attempts, at once then about +30 s, +2 min, +10 min, +1 h.
    expect(MAX_ATTEMPTS).toBe(5);
    expect(RETRY_DELAYS_SECONDS).toEqual([30, 120, 600, 3600]);
    expect(RETRY_DELAYS_SECONDS).toHaveLength(MAX_ATTEMPTS - 1);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      for (const random of [() => 0, () => 1]) expect(retryDelaySeconds(attempt, random)).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
    }
    expect(webhooks.retry_delay).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
  });
});

describe("a consumer crash costs no HTTP attempt", () => {
  it("500 four times then 200, with D1 lost once mid-schedule: five HTTP attempts, delivered, nothing dead-lettered", async () => {
    const { t, event, message } = await oneDelivery();
    const r = receiver({ [HOOK]: (_req, n) => new Response(n <= 4 ? "down" : "ok", { status: n <= 4 ? 500 : 200 }) });
    const { d1, faults } = faultyD1();
    const q = simulatedQueue(d1);
    q.enqueue(message);
    let crashedAt: number | null = null;
    await q.drain((next) => {
      // After two attempts, D1 is lost once: when the consumer first reads the delivery for the third.
      if (crashedAt === null && r.requests.length === 2) {
        faults.prepare = 1;
        crashedAt = next.at;
      }
    });

    expect(r.requests.map((x) => x.headers.get("x-webhook-attempt"))).toEqual(["1", "2", "3", "4", "5"]);
    expect(await delivery(message.delivery_id)).toMatchObject({ status: "succeeded", attempts: 5, last_status_code: 200, next_attempt_at: null });
    expect(q.deadLettered).toEqual([]);
    // The crash was retried by the queue (its budget), after retry_delay; the HTTP attempts never were.
    const crashed = q.handled.filter((h) => h.outcome === "retried");
    expect(crashed).toHaveLength(1);
    expect(crashed[0]!.body).toMatchObject({ attempt: 3 });
    expect(r.requests[2]!.at - crashedAt!).toBeGreaterThanOrEqual(CRASH_RETRY_DELAY_SECONDS * 1000);
    expect(await history(t, event.id)).toEqual([
      [1, 500, "retrying"],
      [2, 500, "retrying"],
      [3, 500, "retrying"],
      [4, 500, "retrying"],
      [5, 200, "succeeded"],
    ]);
  });

  it("a crash between the request and its record: the attempt is made again under its number once its lease lapsed, and the schedule goes on", async () => {
    const { t, event, message } = await oneDelivery();
    const r = receiver({ [HOOK]: (_req, n) => new Response(n <= 3 ? "down" : "ok", { status: n <= 3 ? 503 : 200 }) });
    const { d1, faults } = faultyD1();
    const q = simulatedQueue(d1);
    q.enqueue(message);
    let armed = false;
    await q.drain(() => {
      // Attempt 2 reaches the receiver, then D1 loses the batch that records it.
      if (!armed && r.requests.length === 1) {
        faults.batch = 1;
        armed = true;
      }
    });

    expect(r.requests.map((x) => x.headers.get("x-webhook-attempt"))).toEqual(["1", "2", "2", "3"]);
    expect(r.requests[2]!.at - r.requests[1]!.at).toBeGreaterThanOrEqual(ATTEMPT_LEASE_SECONDS * 1000);
    expect(q.deadLettered).toEqual([]);
    expect(await delivery(message.delivery_id)).toMatchObject({ status: "succeeded", attempts: 3, last_status_code: 200 });
    expect(await history(t, event.id)).toEqual([
      [1, 503, "retrying"],
      [2, 503, "retrying"],
      [3, 200, "succeeded"],
    ]);
  });

  it("a message that crashes every time is dead-lettered after max_retries retries: the delivery ends failed, visible, its attempts kept", async () => {
    const { t, event, message } = await oneDelivery();
    const r = receiver({ [HOOK]: () => new Response("down", { status: 500 }) });
    const { d1, faults } = faultyD1();
    const q = simulatedQueue(d1);
    q.enqueue(message);
    await q.drain(() => {
      // After the first attempt, D1 is down whenever a message is handed over (and back when the dead-letter consumer runs).
      faults.prepare = r.requests.length === 1 ? 1 : 0;
    });
    const crashes = q.handled.filter((h) => "attempt" in h.body && h.body.attempt === 2);
    expect(crashes.map((h) => h.outcome)).toEqual([...Array(CRASH_RETRIES).fill("retried"), "dead-lettered"]);
    expect(crashes.map((h) => h.attempts)).toEqual(Array.from({ length: CRASH_RETRIES + 1 }, (_, i) => i + 1));
    expect(r.requests).toHaveLength(1);
    expect(await delivery(message.delivery_id)).toMatchObject({ status: "failed", attempts: 1, last_error: "dead-lettered: the delivery could not be processed" });
    expect(await history(t, event.id)).toEqual([[1, 500, "retrying"]]);
  });
});

describe("a lost send of the next attempt's message", () => {
  it("is acknowledged all the same (the row says when the attempt is due), and the delivery relay sends it once 10 minutes overdue", async () => {
    const { t, event, message } = await oneDelivery();
    const r = receiver({ [HOOK]: (_req, n) => new Response(n === 1 ? "down" : "ok", { status: n === 1 ? 502 : 200 }) });
    const first = await runQueue([message], { sendFails: true });
    expect(first.acked).toEqual(["msg-0"]);
    expect(first.retried).toEqual([]);
    expect(first.sent).toEqual([]);
    const row = await delivery(message.delivery_id);
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_status_code: 502 });
    const due = Date.parse(row!.next_attempt_at!);
    // Test mode's first retry: +2 s (±10 %).
    expect(due - Date.now()).toBeGreaterThan(1_000);

    travel(due - Date.now() + 60_000);
    expect(deliveryMessages(await runCron(new Date()))).not.toContainEqual(expect.objectContaining({ delivery_id: message.delivery_id }));
    travel(10 * 60_000);
    const relayed = deliveryMessages(await runCron(new Date()));
    expect(relayed).toContainEqual({ delivery_id: message.delivery_id, run: 1, attempt: 2 });

    const second = await runQueue([{ delivery_id: message.delivery_id, run: 1, attempt: 2 }]);
    expect(second.acked).toEqual(["msg-0"]);
    expect(r.requests.map((x) => x.headers.get("x-webhook-attempt"))).toEqual(["1", "2"]);
    expect(await delivery(message.delivery_id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await history(t, event.id)).toEqual([
      [1, 502, "retrying"],
      [2, 200, "succeeded"],
    ]);
  });
});
