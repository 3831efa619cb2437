import type { ChainOwner } from "./seal-audit-chains";

/**
 * Daily anchors of the audit chains, in the R2 bucket DOCUMENTS: each is one small JSON object
 * naming a chain's head (sequence and hash) on a day, kept outside D1 so that rewriting the
 * whole chain in the database (recomputing every hash) still shows against them. An auditor can
 * copy them out, e.g. `audit-anchors/ptn-…/live/2026-12-05.json`.
 */
export interface AuditAnchor {
  object: "audit_anchor";
  partner_id: string;
  livemode: boolean;
  sequence: number;
  hash: string;
  anchored_at: string;
}

export function anchorPrefix(chain: ChainOwner): string {
  return `audit-anchors/${chain.partner_id}/${chain.livemode ? "live" : "test"}/`;
}

/** One anchor a day (UTC): the key names the day, so a second run that day finds it and writes nothing. */
export function anchorKey(chain: ChainOwner, at: Date): string {
  return `${anchorPrefix(chain)}${at.toISOString().slice(0, 10)}.json`;
}

/** Every anchor of a chain, oldest first, from the objects' metadata (one list call per 1 000 anchors, about three years). */
export async function listAnchors(bucket: R2Bucket, chain: ChainOwner): Promise<{ key: string; sequence: number; hash: string }[]> {
  const anchors: { key: string; sequence: number; hash: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: anchorPrefix(chain), cursor, include: ["customMetadata"] });
    for (const o of page.objects) {
      const sequence = Number(o.customMetadata?.sequence);
      const hash = o.customMetadata?.hash;
      // An object without our metadata is not an anchor we wrote: it is reported as unreadable by sequence 0.
      anchors.push({ key: o.key, sequence: Number.isSafeInteger(sequence) ? sequence : 0, hash: hash ?? "" });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return anchors.sort((a, b) => a.sequence - b.sequence);
}
