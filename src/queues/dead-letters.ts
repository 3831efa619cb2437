import type { Env, WebhookMessage } from "../env";
import { failDeadLetteredDelivery, requeueDeadLetteredEvent } from "../services/webhooks/dead-letter";
import { jobContext } from "../services/webhooks/job";
import { log } from "../lib/log";

/**
 * Messages of the webhooks queue that exhausted their retries because processing them kept
 * throwing. A delivery is marked failed (visible, redeliverable); an event goes back to the
 * outbox for the relay cron. A message this consumer cannot settle either is retried, then dropped
 * by the queue; the cron sweeps still find its delivery or event.
 */
export async function handleDeadLetters(batch: MessageBatch<WebhookMessage>, env: Env, executionCtx: ExecutionContext) {
  const ctx = jobContext(env, executionCtx);
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      log.error("webhook message dead-lettered", { queue_message: body });
      const settled = await ("delivery_id" in body
        ? failDeadLetteredDelivery({ ctx, input: { deliveryId: body.delivery_id, run: body.run, attempt: body.attempt } })
        : requeueDeadLetteredEvent({ ctx, input: { eventId: body.event_id } })
      ).then(
        () => true,
        (error: unknown) => {
          log.error("dead letter not settled, retried", { queue_message: body, error });
          return false;
        },
      );
      if (settled) message.ack();
      else message.retry();
    }),
  );
}
