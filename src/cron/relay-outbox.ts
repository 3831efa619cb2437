import { and, asc, isNull, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { events } from "../db/schema";
import type { Env } from "../env";
import { EVERY_TENANT, publishEventIds } from "../queues/publish";

const BATCH = 100;
/** Events younger than this are left to the request that wrote them (it enqueues right after commit). */
const GRACE_MS = 30_000;

/**
 * The outbox relay: every event committed in D1 but never handed to the webhooks queue (the
 * worker died between commit and send) is enqueued here. Sending twice is harmless: receivers
 * de-duplicate on the event id.
 */
export async function relayOutbox(env: Env, now: Date) {
  const db = createDb(env.DB);
  const pending = await db
    .select({ id: events.id })
    .from(events)
    .where(and(isNull(events.enqueued_at), lt(events.created_at, new Date(now.getTime() - GRACE_MS).toISOString())))
    .orderBy(asc(events.created_at))
    .limit(BATCH);
  if (pending.length === 0) return { relayed: 0 };
  await publishEventIds({ queue: env.WEBHOOKS, db }, pending.map((e) => e.id), EVERY_TENANT, now.toISOString());
  return { relayed: pending.length };
}
