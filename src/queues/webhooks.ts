import type { Env, WebhookMessage } from "../env";
import { attemptDelivery, type Decision } from "../services/webhooks/attempt-delivery";
import { fanOutEvent } from "../services/webhooks/fan-out";
import { jobContext, type JobContext } from "../services/webhooks/job";

/**
 * The webhooks queue. Two kinds of message (env.ts WebhookMessage): `{ event_id }` fans an
 * event out into one delivery per subscription, `{ delivery_id, run }` makes one attempt of one
 * delivery. Messages of a batch run side by side, so a receiver that hangs for its full 10 s
 * delays no other; each message is acked or retried on its own, with its own backoff.
 * A message whose processing throws (storage unavailable …) is retried after the queue's
 * retry_delay; after max_retries it goes to the dead-letter queue (dead-letters.ts).
 */
export async function handleWebhookMessages(batch: MessageBatch<WebhookMessage>, env: Env, executionCtx: ExecutionContext) {
  const ctx = jobContext(env, executionCtx);
  await Promise.all(
    batch.messages.map(async (message) => {
      const decision = await handle(ctx, message.body).then(
        (d): Decision | { kind: "error"; error: unknown } => d,
        (error: unknown) => ({ kind: "error" as const, error }),
      );
      if (decision.kind === "ack") {
        message.ack();
      } else if (decision.kind === "retry") {
        message.retry({ delaySeconds: decision.delaySeconds });
      } else {
        console.error(JSON.stringify({ level: "error", msg: "webhook message failed, retried", message: message.body, attempts: message.attempts, error: String(decision.error) }));
        message.retry();
      }
    }),
  );
}

async function handle(ctx: JobContext, body: WebhookMessage): Promise<Decision> {
  if ("delivery_id" in body) return attemptDelivery({ ctx, input: { deliveryId: body.delivery_id, run: body.run } });
  if ("event_id" in body) {
    await fanOutEvent({ ctx, input: { eventId: body.event_id } });
    return { kind: "ack", reason: "fanned out" };
  }
  console.error(JSON.stringify({ level: "error", msg: "unknown webhook message dropped", message: body }));
  return { kind: "ack", reason: "unknown message" };
}
