import type { Env, WebhookMessage } from "../env";

/** Messages that exhausted their retries. Logged loudly; the webhooks issue records them as failed deliveries. */
export async function handleDeadLetters(batch: MessageBatch<WebhookMessage>, _env: Env) {
  for (const message of batch.messages) {
    console.error(JSON.stringify({ level: "error", msg: "webhook message dead-lettered", event_id: message.body.event_id }));
    message.ack();
  }
}
