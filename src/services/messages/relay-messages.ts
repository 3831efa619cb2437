import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messages } from "../../db/schema";
import type { Env } from "../../env";

/** A queued message untouched this long lost its hand-off (or its queue message): sent again. */
export const MESSAGE_RELAY_AFTER_MINUTES = 10;
const BATCH = 100;

/**
 * The minute cron's relay for messages: a message is handed to the queue after its batch commits
 * (publishMessages); if that hand-off was lost (isolate gone, queue unavailable) the row stays
 * `queued`. Those untouched for 10 minutes — longer than any queue retry delay, and every claim
 * touches the row — are handed again, and touched so the next run leaves them alone for another
 * 10 minutes. A duplicate hand-off is harmless: a message is claimed before it is sent.
 */
export async function relayQueuedMessages(deps: { db: Db; env: Env }, now: Date): Promise<{ relayed: number }> {
  const before = new Date(now.getTime() - MESSAGE_RELAY_AFTER_MINUTES * 60_000).toISOString();
  // tenancy-exempt: the relay covers every tenant's queued messages; the consumer scopes each to its own tenant.
  const stale = await deps.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.status, "queued"), lt(messages.updated_at, before)))
    .orderBy(asc(messages.created_at))
    .limit(BATCH);
  if (stale.length === 0) return { relayed: 0 };
  const ids = stale.map((m) => m.id);
  await deps.env.MESSAGES.sendBatch(ids.map((id) => ({ body: { message_id: id } })));
  // tenancy-exempt: the rows just read, by id, still queued (every tenant's, as above).
  await deps.db
    .update(messages)
    .set({ updated_at: now.toISOString(), version: sql`${messages.version} + 1` })
    .where(and(inArray(messages.id, ids), eq(messages.status, "queued")));
  return { relayed: ids.length };
}
