import { CRASH_RETRY_DELAY_SECONDS } from "../domain/webhook-retry";
import type { Env, WebhookMessage } from "../env";
import { attemptDelivery, type Decision } from "../services/webhooks/attempt-delivery";
import { fanOutEvent } from "../services/webhooks/fan-out";
import { jobContext, type JobContext } from "../services/webhooks/job";
import { log } from "../lib/log";

/**
 * The webhooks queue. Two kinds of message (env.ts WebhookMessage): `{ event_id }` fans an
 * event out into one delivery per subscription, `{ delivery_id, run, attempt }` makes one attempt
 * of one delivery. Messages of a batch run side by side, so a receiver that hangs for its full
 * 10 s delays no other. A handled message is acknowledged, whatever the receiver answered: the
 * HTTP retry schedule lives on the delivery row, each attempt with a message of its own.
 * Only a message whose processing throws (storage unavailable …) is retried by the queue, after
 * CRASH_RETRY_DELAY_SECONDS; after max_retries crashes it goes to the dead-letter queue
 * (dead-letters.ts). So crashes and HTTP failures never share a budget.
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
      } else {
        log.error("webhook message failed, retried", { queue_message: message.body, attempts: message.attempts, error: decision.error });
        message.retry({ delaySeconds: CRASH_RETRY_DELAY_SECONDS });
      }
    }),
  );
}

async function handle(ctx: JobContext, body: WebhookMessage): Promise<Decision> {
  if ("delivery_id" in body) return attemptDelivery({ ctx, input: { deliveryId: body.delivery_id, run: body.run, attempt: body.attempt } });
  if ("event_id" in body) {
    await fanOutEvent({ ctx, input: { eventId: body.event_id } });
    return { kind: "ack", reason: "fanned out" };
  }
  log.error("unknown webhook message dropped", { queue_message: body });
  return { kind: "ack", reason: "unknown message" };
}
