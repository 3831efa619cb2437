import { and, asc, inArray, isNull, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { events } from "../db/schema";
import { EVENT_PAYLOAD_RETENTION_DAYS } from "../domain/event-privacy";
import type { Env } from "../env";

/** Events per statement, and statements per run: a run stays short, and a backlog drains over a few hours. */
export const PURGE_BATCH = 500;
const MAX_ROUNDS = 10;

/**
 * Retention of event payloads: 90 days after an event, its data (and the sealed personal data in
 * it) is purged. The row stays — type, ids, times, delivery history — marked `data_expired_at`,
 * so the events API can say the payload expired and a redelivery fails visibly instead of sending
 * an empty body. Bounded per run and idempotent (an expired row is never selected again).
 */
export async function purgeEventPayloads(env: Env, now: Date) {
  const db = createDb(env.DB);
  const cutoff = new Date(now.getTime() - EVENT_PAYLOAD_RETENTION_DAYS * 86_400_000).toISOString();
  let purged = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const expiring = db
      .select({ id: events.id })
      .from(events)
      .where(and(isNull(events.data_expired_at), lt(events.created_at, cutoff)))
      .orderBy(asc(events.created_at))
      .limit(PURGE_BATCH);
    const result = await db
      .update(events)
      .set({ data: {}, data_encrypted: null, data_expired_at: now.toISOString() })
      .where(and(inArray(events.id, expiring), isNull(events.data_expired_at)))
      .run();
    purged += result.meta.changes;
    if (result.meta.changes < PURGE_BATCH) break;
  }
  return { purged };
}
