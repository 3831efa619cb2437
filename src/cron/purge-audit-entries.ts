import { and, asc, eq, gt, lt, lte, sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { auditChains, auditLogs } from "../db/schema";
import { yearsBefore } from "../domain/dates";
import type { Env } from "../env";
import { ANY_ORGANIZATION, scoped } from "../services/tenancy";

/** Chains per run, entries per chain per run. */
export const AUDIT_PURGE_CHAINS = 20;
export const AUDIT_PURGE_BATCH = 1_000;


/**
 * Retention of audit entries: after 10 calendar years (Code de commerce L123-22; the seed says 7)
 * they are deleted from the start of their chain. Only
 * a run of consecutive sealed positions from the chain's start, never its last sealed entry (its
 * head, from which the next position is numbered); the chain then records how far it was pruned
 * and the hash the kept part starts from, so `verify` still checks the rest. The deletion and that
 * record are one batch; a run that lost a race to another deletes nothing. Bounded, idempotent.
 */
export async function purgeAuditEntries(env: Env, now: Date) {
  const db = createDb(env.DB);
  const cutoff = yearsBefore(now, 10);
  // tenancy-exempt: retention spans every partner's chains; a chain is due when the first entry it
  // keeps is past the cutoff (found through audit_chain_sequence), so a chain that cannot be pruned
  // (unsealed, or its start missing) is never selected and never starves the others.
  const due = await db
    .select()
    .from(auditChains)
    .where(
      and(
        gt(auditChains.sealed_through, sql`${auditChains.pruned_through} + 1`),
        sql`EXISTS (SELECT 1 FROM ${auditLogs} WHERE ${auditLogs.partner_id} = ${auditChains.partner_id} AND ${auditLogs.livemode} = ${auditChains.livemode}
                    AND ${auditLogs.sequence} = ${auditChains.pruned_through} + 1 AND ${auditLogs.created_at} < ${cutoff})`,
      ),
    )
    .limit(AUDIT_PURGE_CHAINS);
  let purged = 0;
  for (const state of due) {
    const chain = { partner_id: state.partner_id, livemode: state.livemode };
    const rows = await db
      .select({ sequence: auditLogs.sequence, hash: auditLogs.hash, created_at: auditLogs.created_at })
      .from(auditLogs)
      .where(and(scoped(chain, auditLogs, ANY_ORGANIZATION), gt(auditLogs.sequence, state.pruned_through)))
      .orderBy(asc(auditLogs.sequence))
      .limit(AUDIT_PURGE_BATCH);
    let through = state.pruned_through;
    let hash = state.pruned_hash;
    for (const row of rows) {
      if (row.sequence !== through + 1 || row.created_at >= cutoff || row.hash === null || row.sequence >= state.sealed_through) break;
      through = row.sequence;
      hash = row.hash;
    }
    if (through === state.pruned_through) continue;
    const [, deleted] = await db.batch([
      db
        .update(auditChains)
        .set({ pruned_through: through, pruned_hash: hash, updated_at: now.toISOString() })
        .where(and(scoped(chain, auditChains), eq(auditChains.pruned_through, state.pruned_through))),
      db
        .delete(auditLogs)
        .where(
          and(
            scoped(chain, auditLogs, ANY_ORGANIZATION),
            gt(auditLogs.sequence, state.pruned_through),
            lte(auditLogs.sequence, through),
            // Only if the record above was this run's: a concurrent run that pruned first wins whole.
            sql`(SELECT ${auditChains.pruned_through} FROM ${auditChains} WHERE ${scoped(chain, auditChains)}) = ${through}`,
          ),
        ),
    ]);
    purged += deleted.meta.changes;
  }
  return { purged };
}
