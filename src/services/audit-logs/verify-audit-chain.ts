import { z } from "@hono/zod-openapi";
import { and, asc, gte, lte } from "drizzle-orm";
import { auditChains, auditLogs } from "../../db/schema";
import { chainHash, GENESIS_HASH, type ChainBreak } from "../../domain/audit-chain";
import { ValidationError } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { ANY_ORGANIZATION, owner, scoped } from "../tenancy";
import { listAnchors } from "./anchors";
import { chainedFields } from "./list-audit-logs";
import { auditIpHash } from "./seal-audit-chains";

/** Entries one call recomputes at most (read 1 000 at a time): larger chains are verified in ranges. */
export const VERIFY_MAX_ENTRIES = 10_000;
const READ_PAGE = 1_000;

const Sequence = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const VerifyAuditChainInput = z.object({
  from_sequence: Sequence.optional().openapi({ description: "First position to check (default: the chain's start, after what retention removed).", example: 1 }),
  to_sequence: Sequence.optional().openapi({
    description: `Last position to check (default: the last sealed one, at most ${VERIFY_MAX_ENTRIES.toLocaleString("en")} positions after from_sequence).`,
    example: 500,
  }),
});

interface Break {
  sequence: number;
  reason: ChainBreak;
  detail: string;
}

/**
 * Recomputes the caller's chain (its partner, its mode) over a range of sealed positions: every
 * position present, each entry pointing to the hash before it, each hash matching the entry's
 * canonical form, the IP addresses still held matching their keyed hashes, the chain's head, and
 * the daily anchors kept in R2 within the range (and any anchor past the head: entries deleted
 * from the end). Answers the first position that no longer matches, and why.
 */
export async function verifyAuditChain({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof VerifyAuditChainInput> }) {
  const { from_sequence: fromInput, to_sequence: toInput } = input;
  if (fromInput !== undefined && toInput !== undefined) {
    if (fromInput > toInput) throw new ValidationError("to_sequence must be at least from_sequence.", "to_sequence");
    if (toInput - fromInput + 1 > VERIFY_MAX_ENTRIES) {
      throw new ValidationError(`At most ${VERIFY_MAX_ENTRIES} positions per call: verify a longer chain in ranges.`, "to_sequence", "range_too_large");
    }
  }
  const chain = owner(ctx);
  const [[state], anchors] = await Promise.all([ctx.db.select().from(auditChains).where(scoped(ctx, auditChains)), listAnchors(ctx.env.DOCUMENTS, chain)]);
  const sealedThrough = state?.sealed_through ?? 0;
  const prunedThrough = state?.pruned_through ?? 0;
  const first = Math.max(fromInput ?? 1, prunedThrough + 1);
  const last = Math.min(toInput ?? first + VERIFY_MAX_ENTRIES - 1, sealedThrough);

  const breaks: Break[] = [];
  let checked = 0;
  const computed = new Map<number, string>();
  if (first <= last) {
    let previous: string | null = first === 1 ? GENESIS_HASH : first === prunedThrough + 1 ? (state?.pruned_hash ?? null) : null;
    let expected = previous === null ? first - 1 : first;
    let cursor = expected - 1;
    walk: while (cursor < last) {
      const rows = await ctx.db
        .select()
        .from(auditLogs)
        .where(and(scoped(ctx, auditLogs, ANY_ORGANIZATION), gte(auditLogs.sequence, cursor + 1), lte(auditLogs.sequence, last)))
        .orderBy(asc(auditLogs.sequence))
        .limit(READ_PAGE);
      for (const row of rows) {
        if (row.sequence !== expected) {
          breaks.push({ sequence: expected, reason: "missing_entry", detail: `No entry at position ${expected}: it was deleted.` });
          break walk;
        }
        if (previous === null) {
          // The entry before the range: its stored hash is where the range starts.
          previous = row.hash;
          if (previous === null) {
            breaks.push({ sequence: row.sequence, reason: "unsealed_entry", detail: `The entry at position ${row.sequence} carries no seal, though the chain is sealed through ${sealedThrough}.` });
            break walk;
          }
          expected++;
          continue;
        }
        const fault = await entryFault(ctx, row, previous, sealedThrough);
        if (fault) {
          breaks.push(fault);
          break walk;
        }
        computed.set(row.sequence, row.hash!);
        previous = row.hash!;
        checked++;
        expected++;
      }
      cursor = rows.length > 0 ? rows[rows.length - 1]!.sequence : last;
      if (rows.length < READ_PAGE) break;
    }
    if (breaks.length === 0 && expected <= last) {
      breaks.push({ sequence: expected, reason: "missing_entry", detail: `No entry at position ${expected}: it was deleted.` });
    }
    if (breaks.length === 0 && last === sealedThrough && previous !== state?.head_hash) {
      breaks.push({ sequence: sealedThrough, reason: "head_mismatch", detail: `The chain's recorded head differs from the hash of its entry ${sealedThrough}.` });
    }
  }

  // Anchors: within what was recomputed, the hash must be the one anchored; past the head, the chain lost entries.
  let anchorsChecked = 0;
  for (const anchor of anchors) {
    if (anchor.sequence <= prunedThrough) continue;
    if (anchor.sequence > sealedThrough) {
      anchorsChecked++;
      breaks.push({ sequence: sealedThrough + 1, reason: "missing_entry", detail: `The anchor ${anchor.key} names position ${anchor.sequence}, past the chain's last sealed entry ${sealedThrough}: entries were deleted from its end.` });
      continue;
    }
    const hash = computed.get(anchor.sequence);
    if (hash === undefined) continue;
    anchorsChecked++;
    if (hash !== anchor.hash) {
      breaks.push({ sequence: anchor.sequence, reason: "anchor_mismatch", detail: `The anchor ${anchor.key} names another hash for position ${anchor.sequence}: the chain up to it was rewritten.` });
    }
  }
  const firstBreak = breaks.sort((a, b) => a.sequence - b.sequence)[0];
  return {
    object: "audit_chain_verification" as const,
    livemode: ctx.principal.livemode,
    valid: firstBreak === undefined,
    from_sequence: first <= last ? first : null,
    to_sequence: first <= last ? last : null,
    checked,
    sealed_through: sealedThrough,
    head_hash: state?.head_hash ?? null,
    pruned_through: prunedThrough,
    anchors_checked: anchorsChecked,
    ...(firstBreak ? { first_invalid_sequence: firstBreak.sequence, reason: firstBreak.reason, detail: firstBreak.detail } : {}),
  };
}

async function entryFault(ctx: ServiceContext, row: typeof auditLogs.$inferSelect, previous: string, sealedThrough: number): Promise<Break | null> {
  const at = row.sequence;
  if (row.hash === null) {
    return { sequence: at, reason: "unsealed_entry", detail: `The entry at position ${at} carries no seal, though the chain is sealed through ${sealedThrough}: it was inserted afterwards.` };
  }
  if (row.previous_hash !== previous) {
    return { sequence: at, reason: "previous_hash_mismatch", detail: `The entry at position ${at} does not follow the hash of position ${at - 1}: an entry was inserted or replaced before it.` };
  }
  if ((await chainHash(previous, chainedFields(row))) !== row.hash) {
    return { sequence: at, reason: "hash_mismatch", detail: `The entry at position ${at} no longer matches its hash: it was changed after sealing.` };
  }
  if (row.ip_address !== null && (await auditIpHash(ctx.env, row.ip_address)) !== row.ip_hash) {
    return { sequence: at, reason: "ip_address_mismatch", detail: `The IP address of the entry at position ${at} no longer matches the hash the chain covers.` };
  }
  return null;
}
