import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import type { RequestLogMessage } from "../../src/services/request-logs/write-request-logs";
import { call, type CallOptions } from "./harness";

// The worker's REQUEST_LOGS producer goes to a queue nobody consumes in tests (vitest.config.ts):
// a test hands a call a queue that keeps what the request sent, then runs the real
// `request-logs` consumer on it, as Cloudflare would deliver the batch.

export function capturingQueue(sent: RequestLogMessage[]): Queue<RequestLogMessage> {
  return {
    send: async (body: RequestLogMessage) => {
      // What crosses the queue is JSON: a record must survive it unchanged.
      sent.push(JSON.parse(JSON.stringify(body)) as RequestLogMessage);
    },
    sendBatch: async () => {
      throw new Error("the request log sends one record per request");
    },
  } as unknown as Queue<RequestLogMessage>;
}

/** A call through the worker, under its own X-Request-Id, whose log record goes to `sent` (waitUntil work included). */
export async function loggedCall(sent: RequestLogMessage[], path: string, options: CallOptions = {}) {
  const requestId = `rl-test-${crypto.randomUUID()}`;
  const res = await call(path, { ...options, headers: { "x-request-id": requestId, ...(options.headers ?? {}) }, env: { ...(options.env ?? {}), REQUEST_LOGS: capturingQueue(sent) } });
  return { res, requestId };
}

/** One delivery of these records to the `request-logs` consumer (or its dead-letter queue's). */
export async function consumeRequestLogs(records: RequestLogMessage[], queue = "request-logs") {
  const batch = createMessageBatch<RequestLogMessage>(queue, records.map((body, i) => ({ id: `q-${i}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env as unknown as Env, ctx);
  const result = await getQueueResult(batch, ctx);
  await waitOnExecutionContext(ctx);
  return result;
}

/** A call, recorded in LOGS through the real consumer: its request id. */
export async function recordedCall(path: string, options: CallOptions = {}): Promise<{ request_id: string }> {
  const sent: RequestLogMessage[] = [];
  const { res, requestId } = await loggedCall(sent, path, options);
  if (res.status >= 500 || sent.length !== 1) throw new Error(`recorded call: ${res.status}, ${sent.length} records`);
  await consumeRequestLogs(sent);
  return { request_id: requestId };
}
