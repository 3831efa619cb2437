import { and, asc, eq, inArray, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { webhookDeliveries, webhookDeliveryAttempts } from "../db/schema";
import { dueAttempt } from "../domain/webhook-retry";
import type { Env } from "../env";
import { sendInChunks } from "../queues/publish";
import { lastClaimedAttempt } from "../services/webhooks/attempt-delivery";

const BATCH = 100;
/** A pending delivery this late past its due time has no message on its way (lost send, crashed consumer). */
const OVERDUE_MS = 10 * 60_000;

/**
 * The deliveries' own outbox relay: a delivery row is written (or its attempt recorded, with the
 * time the next one is due) before the next message is sent, so when that send never happened
 * (or its message was lost, or the consumer died during an attempt) the delivery would wait
 * forever. Here it gets a fresh message for the attempt it waits for. A duplicate is harmless:
 * an attempt is claimed once.
 */
export async function relayStuckDeliveries(env: Env, now: Date) {
  const db = createDb(env.DB);
  const stuck = await db
    .select({
      id: webhookDeliveries.id,
      run: webhookDeliveries.run,
      attempts: webhookDeliveries.attempts,
      lastRecorded: webhookDeliveryAttempts.id,
    })
    .from(webhookDeliveries)
    // The record of the last claimed attempt, if it was recorded (else the consumer died during it).
    .leftJoin(webhookDeliveryAttempts, lastClaimedAttempt)
    .where(and(eq(webhookDeliveries.status, "pending"), lt(webhookDeliveries.next_attempt_at, new Date(now.getTime() - OVERDUE_MS).toISOString())))
    .orderBy(asc(webhookDeliveries.next_attempt_at))
    .limit(BATCH);
  if (stuck.length === 0) return { relayed: 0 };
  await sendInChunks(env.WEBHOOKS, stuck.map((d) => ({ delivery_id: d.id, run: d.run, attempt: dueAttempt(d.attempts, d.lastRecorded !== null) })));
  await db
    .update(webhookDeliveries)
    .set({ next_attempt_at: now.toISOString() })
    .where(and(inArray(webhookDeliveries.id, stuck.map((d) => d.id)), eq(webhookDeliveries.status, "pending")));
  return { relayed: stuck.length };
}
