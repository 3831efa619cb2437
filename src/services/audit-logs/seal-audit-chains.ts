import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { createDb, type Db } from "../../db/client";
import { auditChains, auditLogs } from "../../db/schema";
import { chainHash, GENESIS_HASH } from "../../domain/audit-chain";
import type { Env } from "../../env";
import { purposeMacHex } from "../../lib/keys";
import { log } from "../../lib/log";
import { ANY_ORGANIZATION, owner, scoped } from "../tenancy";
import { chainedFields } from "./list-audit-logs";

/** Entries per D1 batch, batches per chain and chains per run: a run stays short; a backlog drains over a few minutes. */
export const SEAL_BATCH = 100;
export const SEAL_ROUNDS = 10;
export const SEAL_CHAINS = 50;

export interface ChainOwner {
  partner_id: string;
  livemode: boolean;
}

/** The keyed hash of an IP address that the chain covers in its place (HMAC-SHA-256, a subkey of ENCRYPTION_KEY). */
export function auditIpHash(env: Pick<Env, "ENCRYPTION_KEY">, ip: string): Promise<string> {
  return purposeMacHex(env.ENCRYPTION_KEY, "audit_ip_hash", ip);
}

/**
 * Seals every chain with unsealed entries (the minute cron): each entry gets its keyed IP hash,
 * the previous entry's hash and its own, strictly in sequence order. Two sealers running at once
 * cannot fork a chain: a hash depends only on the entry and the one before it, so both compute the
 * same values; an entry is sealed only while unsealed, and the chain's state moves forward only
 * from the position its sealer read.
 */
export async function sealAuditChains(env: Env, now: Date) {
  const db = createDb(env.DB);
  // tenancy-exempt: the sealer serves every partner's chains (audit_unsealed index); each chain is then read by its owner columns.
  const chains = await db
    .selectDistinct({ partner_id: auditLogs.partner_id, livemode: auditLogs.livemode })
    .from(auditLogs)
    .where(isNull(auditLogs.hash))
    .limit(SEAL_CHAINS);
  let sealed = 0;
  for (const chain of chains) sealed += await sealAuditChain(env, db, chain, now);
  return { chains: chains.length, sealed };
}

/** Seals one chain's unsealed entries, up to SEAL_BATCH × SEAL_ROUNDS; returns how many. */
export async function sealAuditChain(env: Env, db: Db, chain: ChainOwner, now: Date): Promise<number> {
  const owned = scoped(chain, auditLogs, ANY_ORGANIZATION);
  let sealed = 0;
  for (let round = 0; round < SEAL_ROUNDS; round++) {
    const [states, pending] = await db.batch([
      db.select().from(auditChains).where(scoped(chain, auditChains)),
      db.select().from(auditLogs).where(and(owned, isNull(auditLogs.hash))).orderBy(asc(auditLogs.sequence)).limit(SEAL_BATCH),
    ]);
    const state = states[0];
    const from = state?.sealed_through ?? 0;
    let previous = state?.head_hash ?? GENESIS_HASH;
    // Only the run of consecutive positions right after the sealed part: a gap means an entry
    // was removed before it could be sealed, which no code path does. The pager must hear of it.
    const run: typeof pending = [];
    for (const entry of pending) {
      if (entry.sequence !== from + run.length + 1) break;
      run.push(entry);
    }
    if (run.length === 0) {
      if (pending.length > 0) log.error("audit chain cannot be sealed: a position is missing", { partner_id: chain.partner_id, livemode: chain.livemode, expected_sequence: from + 1, found_sequence: pending[0]!.sequence });
      return sealed;
    }
    const seals = [];
    for (const entry of run) {
      const ip_hash = entry.ip_address === null ? null : await auditIpHash(env, entry.ip_address);
      const hash = await chainHash(previous, chainedFields({ ...entry, ip_hash }));
      seals.push({ sequence: entry.sequence, ip_hash, previous_hash: previous, hash });
      previous = hash;
    }
    const through = run[run.length - 1]!.sequence;
    await db.batch([
      db
        .insert(auditChains)
        .values({ ...owner(chain), sealed_through: through, head_hash: previous, updated_at: now.toISOString() })
        .onConflictDoUpdate({
          target: [auditChains.partner_id, auditChains.livemode],
          set: { sealed_through: through, head_hash: previous, updated_at: now.toISOString() },
          setWhere: sql`${auditChains.sealed_through} = ${from}`,
        }),
      ...seals.map((s) =>
        db
          .update(auditLogs)
          .set({ ip_hash: s.ip_hash, previous_hash: s.previous_hash, hash: s.hash })
          .where(and(owned, eq(auditLogs.sequence, s.sequence), isNull(auditLogs.hash))),
      ),
    ]);
    sealed += run.length;
    if (pending.length < SEAL_BATCH) return sealed;
  }
  return sealed;
}
