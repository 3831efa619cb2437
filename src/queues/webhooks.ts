import { CRASH_RETRY_DELAY_SECONDS } from "../domain/webhook-retry";
import type { Env, WebhookMessage } from "../env";
import { attemptDelivery, type Decision } from "../services/webhooks/attempt-delivery";
import { fanOutEvent } from "../services/webhooks/fan-out";
import { jobContext, type JobContext } from "../services/webhooks/job";
import { sendDueReceipts } from "../services/payments/send-receipts";
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
    const { event } = await fanOutEvent({ ctx, input: { eventId: body.event_id } });
    if (event && isPaymentSuccess(event)) await receiptsAfterPayment(ctx, event);
    return { kind: "ack", reason: "fanned out" };
  }
  log.error("unknown webhook message dropped", { queue_message: body });
  return { kind: "ack", reason: "unknown message" };
}

/** A payment intent that just succeeded: its ledger entry is in D1 (the object projects before it publishes). */
function isPaymentSuccess(event: { type: string; data: unknown }): boolean {
  return event.type === "payment_intent.status_changed" && (event.data as { current_status?: unknown } | null)?.current_status === "succeeded";
}

/**
 * The payer's receipt right after the payment, rather than at the next minute cron (which stays the
 * safety net: a receipt that fails here is not a webhook failure, and the message is acknowledged).
 */
async function receiptsAfterPayment(ctx: JobContext, event: { id: string; partner_id: string; livemode: boolean }) {
  try {
    await sendDueReceipts({ db: ctx.db, env: ctx.env, requestId: `event_${event.id}`, defer: ctx.defer }, { now: ctx.now(), tenant: { partnerId: event.partner_id, livemode: event.livemode } });
  } catch (err) {
    log.warn("receipt deferred to the minute cron", { event_id: event.id, error: err });
  }
}
