import type { Env, WebhookMessage } from "../env";
import { handleDeadLetters } from "./dead-letters";
import { handleWebhookMessages } from "./webhooks";

/** One consumer per queue; the queue name picks it (dev and prod names are the same). */
export async function handleQueueBatch(batch: MessageBatch<WebhookMessage>, env: Env, ctx: ExecutionContext) {
  switch (batch.queue) {
    case "webhooks":
      return handleWebhookMessages(batch, env, ctx);
    case "webhooks-dlq":
      return handleDeadLetters(batch, env, ctx);
    default:
      console.error(JSON.stringify({ level: "error", msg: "message from an unknown queue", queue: batch.queue }));
      batch.retryAll();
  }
}
