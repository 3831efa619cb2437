import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import { vi } from "vitest";
import type { Env, WebhookMessage } from "../../src/env";
import { SCHEDULES } from "../../src/cron";
import worker from "../../src/index";
import { call, expectOk, type Tenant } from "../helpers/harness";
import { runScheduled } from "../helpers/scheduled";

/**
 * Webhook test fixtures. The receiver is `globalThis.fetch`, stubbed; the queue is driven by
 * hand (createMessageBatch + worker.queue), so every delivery happens when the test says so.
 */

// ---- Seed 001 "Vérification de signature", Node.js, verbatim (crypto and Buffer from node:*) ----
function verifyWebhookSignature(payload: any, signature: any, secret: any) {
  const expectedSignature = crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
  
  const expected = `sha256=${expectedSignature}`;
  
  return crypto.timingSafeEqual(
    Buffer.from(expected),
    Buffer.from(signature)
  );
}
// ---- end of seed 001 ----

/** The seed's verifier, given the raw body as bytes (what `express.raw` hands it). A length mismatch throws in timingSafeEqual: that is a failed verification. */
export function seedVerifies(rawBody: string, signature: string | null, secret: string): boolean {
  if (signature === null) return false;
  try {
    return verifyWebhookSignature(Buffer.from(rawBody, "utf8"), signature, secret);
  } catch {
    return false;
  }
}

export interface Received {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  redirect: string | undefined;
  at: number;
}

type Answer = (request: Received, n: number, signal: AbortSignal | undefined) => Response | Promise<Response>;

/**
 * A stubbed receiver: every outbound fetch is recorded and answered by the handler of its URL's
 * origin + path (the `n`th request to it, from 1), or 200 "ok" by default.
 */
export function receiver(answers: Record<string, Answer> = {}) {
  const requests: Received[] = [];
  const counts = new Map<string, number>();
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const received: Received = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.text(),
      redirect: init?.redirect,
      at: Date.now(),
    };
    requests.push(received);
    const key = request.url.split("?")[0]!;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const answer = answers[key];
    return answer ? answer(received, n, init?.signal ?? undefined) : new Response("ok", { status: 200 });
  });
  return { requests, spy, to: (url: string) => requests.filter((r) => r.url === url) };
}

/** A response that never comes: it ends only when the caller aborts (the 10 s timeout). */
export function hang(signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
}

export interface QueueRun {
  /** Messages the consumer sent to the queue (fan-out → deliveries, an attempt → the next one). */
  sent: WebhookMessage[];
  /** The same, with the delay each was sent with (undefined: at once). */
  scheduled: { body: WebhookMessage; delaySeconds: number | undefined }[];
  acked: string[];
  retried: { id: string; delaySeconds: number | undefined }[];
}

/** The delivery messages among those sent, as the queue would carry them. */
export function deliveryMessages(sent: WebhookMessage[]) {
  return sent.filter((m): m is Extract<WebhookMessage, { delivery_id: string }> => "delivery_id" in m);
}

/**
 * Runs the consumer on one batch of `queue`, as Cloudflare Queues would deliver it. What the
 * consumer sends is captured, not queued (`send` fails when `sendFails` says so); `db` replaces
 * the D1 binding (fault injection).
 */
export async function runQueue(
  bodies: WebhookMessage[],
  options: { queue?: string; attempts?: number; sendFails?: boolean; db?: D1Database } = {},
): Promise<QueueRun> {
  const scheduled: QueueRun["scheduled"] = [];
  const capture = {
    send: async (body: WebhookMessage, opts?: QueueSendOptions) => {
      if (options.sendFails) throw new Error("Queue send failed: service unavailable");
      scheduled.push({ body, delaySeconds: opts?.delaySeconds });
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<WebhookMessage>>) => {
      if (options.sendFails) throw new Error("Queue send failed: service unavailable");
      scheduled.push(...[...messages].map((m) => ({ body: m.body, delaySeconds: m.delaySeconds })));
    },
  };
  const testEnv = { ...env, WEBHOOKS: capture, ...(options.db ? { DB: options.db } : {}) } as unknown as Env;
  const batch = createMessageBatch<WebhookMessage>(
    options.queue ?? "webhooks",
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: options.attempts ?? 1, body })),
  );
  const retrySpies = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return {
    sent: scheduled.map((s) => s.body),
    scheduled,
    acked: result.explicitAcks,
    retried: result.retryMessages.map((r) => {
      const i = batch.messages.findIndex((m) => m.id === r.msgId);
      return { id: r.msgId, delaySeconds: retrySpies[i]?.mock.calls[0]?.[0]?.delaySeconds };
    }),
  };
}

/** The partner's events, oldest first, straight from the outbox table. */
export async function outbox(partnerId: string) {
  const rows = await env.DB.prepare("SELECT id, type, organization_id, enqueued_at FROM events WHERE partner_id = ? ORDER BY created_at, id").bind(partnerId).all<{
    id: string;
    type: string;
    organization_id: string | null;
    enqueued_at: string | null;
  }>();
  return rows.results;
}

/** Fans the events out and returns the delivery messages, as the queue would carry them. */
export async function fanOut(eventIds: string[]) {
  const run = await runQueue(eventIds.map((event_id) => ({ event_id })));
  return deliveryMessages(run.sent);
}

export async function delivery(id: string) {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<{
    id: string;
    status: string;
    run: number;
    attempts: number;
    next_attempt_at: string | null;
    last_status_code: number | null;
    last_error: string | null;
    subscription_id: string;
    event_id: string;
  }>();
}

export async function subscribe(t: Tenant, body: Record<string, unknown>) {
  return expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { events: ["*"], ...body } }), 201);
}

export function body(r: Received) {
  return JSON.parse(r.body);
}

/** Runs the minute cron at `at`, capturing (not sending) what it hands to the webhooks queue. */
export async function runCron(at: Date) {
  return (await runScheduled(SCHEDULES.everyMinute, at)).sent;
}
