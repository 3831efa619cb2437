import type { Env, MessageQueueBody, WebhookMessage } from "../env";
import { handleDeadLetters } from "./dead-letters";
import { handleMessageDeadLetters, handleMessageQueue } from "./messages";
import { handleRequestLogs } from "./request-logs";
import type { RequestLogMessage } from "../services/request-logs/write-request-logs";
import { handleWebhookMessages } from "./webhooks";
import { log } from "../lib/log";

/** One consumer per queue; the queue name picks it (dev and prod names are the same). */
export async function handleQueueBatch(batch: MessageBatch<WebhookMessage | MessageQueueBody | RequestLogMessage>, env: Env, ctx: ExecutionContext) {
  switch (batch.queue) {
    case "messages":
      return handleMessageQueue(batch as MessageBatch<MessageQueueBody>, env, ctx);
    case "messages-dlq":
      return handleMessageDeadLetters(batch as MessageBatch<MessageQueueBody>, env, ctx);
    case "webhooks":
      return handleWebhookMessages(batch as MessageBatch<WebhookMessage>, env, ctx);
    case "request-logs":
    case "request-logs-dlq":
      return handleRequestLogs(batch as MessageBatch<RequestLogMessage>, env);
    case "webhooks-dlq":
      return handleDeadLetters(batch as MessageBatch<WebhookMessage>, env, ctx);
    default:
      log.error("message from an unknown queue", { queue: batch.queue });
      batch.retryAll();
  }
}
