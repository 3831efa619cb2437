import type { Env, WebhookMessage } from "../env";
import { handleDeadLetters } from "./dead-letters";
import { handleWebhookMessages } from "./webhooks";
import { log } from "../lib/log";

/** One consumer per queue; the queue name picks it (dev and prod names are the same). */
export async function handleQueueBatch(batch: MessageBatch<WebhookMessage>, env: Env, ctx: ExecutionContext) {
  switch (batch.queue) {
    case "webhooks":
      return handleWebhookMessages(batch, env, ctx);
    case "webhooks-dlq":
      return handleDeadLetters(batch, env, ctx);
    default:
      log.error("message from an unknown queue", { queue: batch.queue });
      batch.retryAll();
  }
}
