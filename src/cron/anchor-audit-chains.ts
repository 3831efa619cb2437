import { and, gt, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { auditChains } from "../db/schema";
import type { Env } from "../env";
import { anchorKey, type AuditAnchor } from "../services/audit-logs/anchors";
import { scoped } from "../services/tenancy";

/**
 * Chains anchored per run: each costs three subrequests (R2 head, put, D1 update), and an
 * invocation may make 1 000; more wait for the next day's run (anchored later, not lost).
 */
export const ANCHOR_CHAINS = 300;

/**
 * Daily: each chain whose head moved since its last anchor gets the day's anchor in R2
 * (services/audit-logs/anchors.ts), naming its last sealed position and hash. Idempotent: the
 * key names the day, and a chain already anchored today is left alone.
 */
export async function anchorAuditChains(env: Env, now: Date) {
  const db = createDb(env.DB);
  // tenancy-exempt: the anchor job serves every partner's chains; each is then updated by its owner columns.
  const due = await db.select().from(auditChains).where(gt(auditChains.sealed_through, auditChains.anchored_through)).limit(ANCHOR_CHAINS);
  let anchored = 0;
  for (const chain of due) {
    const key = anchorKey(chain, now);
    if (await env.DOCUMENTS.head(key)) continue;
    const anchor: AuditAnchor = {
      object: "audit_anchor",
      partner_id: chain.partner_id,
      livemode: chain.livemode,
      sequence: chain.sealed_through,
      hash: chain.head_hash!,
      anchored_at: now.toISOString(),
    };
    await env.DOCUMENTS.put(key, JSON.stringify(anchor, null, 2), {
      httpMetadata: { contentType: "application/json" },
      customMetadata: { sequence: String(anchor.sequence), hash: anchor.hash },
    });
    await db
      .update(auditChains)
      .set({ anchored_through: anchor.sequence })
      .where(and(scoped(chain, auditChains), lt(auditChains.anchored_through, anchor.sequence)));
    anchored++;
  }
  return { anchored, chains: due.length };
}
