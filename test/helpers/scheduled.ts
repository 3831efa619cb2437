import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Env, WebhookMessage } from "../../src/env";
import worker from "../../src/index";

/**
 * Runs the worker's scheduled handler for `cron` at `at`, as a Cron Trigger would, and captures
 * (instead of sending) what it hands to the webhooks queue: what a cron claims to relay is then
 * something the test can see.
 */
export async function runScheduled(cron: string, at: Date = new Date()): Promise<{ sent: WebhookMessage[] }> {
  const sent: WebhookMessage[] = [];
  const capture = {
    send: async (body: WebhookMessage) => void sent.push(body),
    sendBatch: async (messages: Iterable<MessageSendRequest<WebhookMessage>>) => void sent.push(...[...messages].map((m) => m.body)),
  };
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at.getTime(), cron }), { ...env, WEBHOOKS: capture } as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return { sent };
}
