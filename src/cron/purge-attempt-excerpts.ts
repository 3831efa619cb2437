import { and, asc, inArray, isNotNull, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { webhookDeliveryAttempts } from "../db/schema";
import type { Env } from "../env";

/** A receiver's answer is kept 90 days, as the event payloads it answered (src/domain/event-privacy.ts). */
export const ATTEMPT_EXCERPT_RETENTION_DAYS = 90;
/** Attempts per statement, and statements per run: a run stays short, and a backlog drains over a few hours. */
export const ATTEMPT_EXCERPT_PURGE_BATCH = 500;
export const ATTEMPT_EXCERPT_PURGE_ROUNDS = 10;

/**
 * Retention of webhook delivery attempt excerpts: 90 days after an attempt, the receiver's
 * response body excerpt (free text the receiver chose, which may echo the payload's personal data)
 * is erased. The attempt row stays — URL, status code, latency, outcome, our own error line — so
 * a delivery's history still reads. Erased means NULL: the table has no column saying when, and
 * an attempt older than 90 days with a null excerpt reads the same either way. Idempotent (an
 * erased excerpt is never selected again) and bounded per run.
 */
export async function purgeAttemptExcerpts(env: Env, now: Date) {
  const db = createDb(env.DB);
  const cutoff = new Date(now.getTime() - ATTEMPT_EXCERPT_RETENTION_DAYS * 86_400_000).toISOString();
  let purged = 0;
  for (let round = 0; round < ATTEMPT_EXCERPT_PURGE_ROUNDS; round++) {
    const due = db
      .select({ id: webhookDeliveryAttempts.id })
      .from(webhookDeliveryAttempts)
      .where(and(isNotNull(webhookDeliveryAttempts.response_excerpt), lt(webhookDeliveryAttempts.at, cutoff)))
      .orderBy(asc(webhookDeliveryAttempts.at))
      .limit(ATTEMPT_EXCERPT_PURGE_BATCH);
    const result = await db
      .update(webhookDeliveryAttempts)
      .set({ response_excerpt: null })
      .where(and(inArray(webhookDeliveryAttempts.id, due), isNotNull(webhookDeliveryAttempts.response_excerpt)))
      .run();
    purged += result.meta.changes;
    if (result.meta.changes < ATTEMPT_EXCERPT_PURGE_BATCH) break;
  }
  return { purged };
}
