import type { Env, MessageQueueBody } from "../env";
import { log } from "../lib/log";
import { deliverMessage, failDeadLetteredMessage, MESSAGE_RETRY_DELAY_SECONDS, type DeliveryOutcome } from "../services/messages/deliver-message";
import { createDb } from "../db/client";

/**
 * The `messages` queue: one message per payer message id (services/messages/deliver-message.ts).
 * A transport failure is retried after MESSAGE_RETRY_DELAY_SECONDS; a crash too (the claim already
 * counted the attempt). Messages of a batch are sent side by side.
 */
export async function handleMessageQueue(batch: MessageBatch<MessageQueueBody>, env: Env, executionCtx: ExecutionContext) {
  const deps = { db: createDb(env.DB), env, requestId: `queue-${batch.queue}`, defer: (work: Promise<unknown>) => executionCtx.waitUntil(work) };
  await Promise.all(
    batch.messages.map(async (message) => {
      const outcome = await deliverMessage(deps, message.body.message_id).catch((error: unknown): DeliveryOutcome => {
        log.error("message delivery crashed, retried", { queue_message: message.body, attempts: message.attempts, error });
        return { kind: "retry", reason: "crash" };
      });
      if (outcome.kind === "retry") message.retry({ delaySeconds: MESSAGE_RETRY_DELAY_SECONDS });
      else message.ack();
    }),
  );
}

/** `messages-dlq`: a message whose deliveries kept crashing is marked failed (visible, with its event). */
export async function handleMessageDeadLetters(batch: MessageBatch<MessageQueueBody>, env: Env, executionCtx: ExecutionContext) {
  const deps = { db: createDb(env.DB), env, requestId: `queue-${batch.queue}`, defer: (work: Promise<unknown>) => executionCtx.waitUntil(work) };
  await Promise.all(
    batch.messages.map(async (message) => {
      log.error("payer message dead-lettered", { queue_message: message.body });
      await failDeadLetteredMessage(deps, message.body.message_id).then(
        () => message.ack(),
        (error: unknown) => {
          log.error("dead-lettered message not settled, retried", { queue_message: message.body, error });
          message.retry();
        },
      );
    }),
  );
}
