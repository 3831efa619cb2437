import { and, asc, inArray, isNotNull, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { auditLogs } from "../db/schema";
import { yearsBefore } from "../domain/dates";
import type { Env } from "../env";

/** Rows per statement, and statements per run. */
export const AUDIT_IP_PURGE_BATCH = 1_000;
const ROUNDS = 5;


/**
 * Retention of the IP addresses of audit entries: after a year the address is erased; the entry
 * stays (10 years) and its chain still verifies, since the hash covers `ip_hash`, a keyed hash of
 * the address, not the address. Only sealed entries (their `ip_hash` is set); oldest first through
 * the partial index audit_ip_age, bounded per run, idempotent (an erased address is not selected again).
 */
export async function purgeAuditIps(env: Env, now: Date) {
  const db = createDb(env.DB);
  const cutoff = yearsBefore(now, 1);
  let erased = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // tenancy-exempt: retention spans every partner; the age is the only filter.
    const due = db
      .select({ id: auditLogs.id })
      .from(auditLogs)
      .where(and(isNotNull(auditLogs.ip_address), lt(auditLogs.created_at, cutoff), isNotNull(auditLogs.hash)))
      .orderBy(asc(auditLogs.created_at))
      .limit(AUDIT_IP_PURGE_BATCH);
    // tenancy-exempt: the ids above.
    const result = await db.update(auditLogs).set({ ip_address: null }).where(inArray(auditLogs.id, due)).run();
    erased += result.meta.changes;
    if (result.meta.changes < AUDIT_IP_PURGE_BATCH) break;
  }
  return { erased };
}
