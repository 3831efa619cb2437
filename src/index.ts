import { createApp } from "./app";
import { runScheduled } from "./cron";
import type { Env, MessageQueueBody, WebhookMessage } from "./env";
import { withLatencyModel } from "./lib/latency-model";
import { handleQueueBatch } from "./queues";
import type { RequestLogMessage } from "./services/request-logs/write-request-logs";

export { AuthThrottle } from "./durable/auth-throttle";
export { PartnerGate } from "./durable/partner-gate";
export { PaymentIntent } from "./durable/payment-intent";

const app = createApp();

export default {
  // withLatencyModel: the bench's modeled storage latency (issue 16), the env itself unless asked for in development.
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, withLatencyModel(env), ctx),
  queue: (batch: MessageBatch<WebhookMessage | MessageQueueBody | RequestLogMessage>, env: Env, ctx: ExecutionContext) => handleQueueBatch(batch, withLatencyModel(env), ctx),
  scheduled: (controller: ScheduledController, env: Env, ctx: ExecutionContext) => runScheduled(controller, withLatencyModel(env), ctx),
} satisfies ExportedHandler<Env, WebhookMessage | MessageQueueBody | RequestLogMessage>;
