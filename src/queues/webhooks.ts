import type { Env, WebhookMessage } from "../env";

/**
 * Webhook delivery. Subscriptions, signing and retries come with the webhooks issue; until then
 * no partner can subscribe, so an event has no receiver and is acknowledged as delivered to none.
 */
export async function handleWebhookMessages(batch: MessageBatch<WebhookMessage>, _env: Env, _ctx: ExecutionContext) {
  for (const message of batch.messages) {
    console.log(JSON.stringify({ level: "info", msg: "event has no webhook subscription", event_id: message.body.event_id }));
    message.ack();
  }
}
