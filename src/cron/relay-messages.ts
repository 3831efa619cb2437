import { createDb } from "../db/client";
import type { Env } from "../env";
import { relayQueuedMessages } from "../services/messages/relay-messages";

/** Messages to payers whose hand-off to the queue was lost are handed again (services/messages/relay-messages.ts). */
export async function relayMessages(env: Env, now: Date) {
  return relayQueuedMessages({ db: createDb(env.DB), env }, now);
}
