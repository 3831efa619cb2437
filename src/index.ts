import { createApp } from "./app";
import { runScheduled } from "./cron";
import type { Env, MessageQueueBody, WebhookMessage } from "./env";
import { handleQueueBatch } from "./queues";
import type { RequestLogMessage } from "./services/request-logs/write-request-logs";

export { AuthThrottle } from "./durable/auth-throttle";
export { PartnerGate } from "./durable/partner-gate";
export { PaymentIntent } from "./durable/payment-intent";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch: MessageBatch<WebhookMessage | MessageQueueBody | RequestLogMessage>, env: Env, ctx: ExecutionContext) => handleQueueBatch(batch, env, ctx),
  scheduled: (controller: ScheduledController, env: Env, ctx: ExecutionContext) => runScheduled(controller, env, ctx),
} satisfies ExportedHandler<Env, WebhookMessage | MessageQueueBody | RequestLogMessage>;
