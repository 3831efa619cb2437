import canonicalize from "canonicalize";
import { sha256Hex } from "../lib/crypto";

/**
 * The audit trail's hash chain, as an auditor recomputes it without our code (README, "Verifying
 * the audit trail"). Each partner has one chain per mode; its entries are numbered 1, 2, 3…
 * (`sequence`) and, once sealed:
 *
 *   hash = hex(SHA-256(UTF-8(previous_hash + canonical)))
 *
 * where `previous_hash` is the previous entry's `hash` (64 zeros for sequence 1) and `canonical`
 * is the RFC 8785 (JSON Canonicalization Scheme) serialization of the entry exactly as
 * `GET /v1/audit_logs` shows it, without `object`, `ip_address`, `previous_hash` and `hash`. The
 * IP address is covered through `ip_hash` (an HMAC of it under a key of ours), so the address can
 * be erased after a year, as personal data must be, and the chain still verifies.
 */

export const GENESIS_HASH = "0".repeat(64);

/** The fields an entry's hash covers: the API's audit entry minus `object`, `ip_address`, `previous_hash`, `hash`. */
export interface ChainedFields {
  id: string;
  livemode: boolean;
  sequence: number;
  timestamp: string;
  organization_id: string | null;
  resource_type: string;
  resource_id: string;
  action: string;
  user_id: string;
  user_type: string;
  ip_hash: string | null;
  request_id: string | null;
  changes: unknown;
}

/** RFC 8785: keys sorted by UTF-16 code units, no whitespace, numbers and strings as ECMAScript prints them. */
export function canonicalEntry(entry: ChainedFields): string {
  const fields: ChainedFields = {
    id: entry.id,
    livemode: entry.livemode,
    sequence: entry.sequence,
    timestamp: entry.timestamp,
    organization_id: entry.organization_id,
    resource_type: entry.resource_type,
    resource_id: entry.resource_id,
    action: entry.action,
    user_id: entry.user_id,
    user_type: entry.user_type,
    ip_hash: entry.ip_hash,
    request_id: entry.request_id,
    changes: entry.changes,
  };
  const text = canonicalize(fields);
  if (text === undefined) throw new Error("audit entry cannot be canonicalized");
  return text;
}

export function chainHash(previousHash: string, entry: ChainedFields): Promise<string> {
  return sha256Hex(previousHash + canonicalEntry(entry));
}

/** Why `verify` stopped at `first_invalid_sequence`. */
export const CHAIN_BREAKS = [
  // An entry's recomputed hash differs from the one stored: it was changed after sealing.
  "hash_mismatch",
  // An entry does not point to the hash of the one before it: one was inserted or replaced before it.
  "previous_hash_mismatch",
  // A position within the sealed part holds no entry: it was deleted.
  "missing_entry",
  // An entry within the sealed part carries no hash: it was inserted (or its seal removed) afterwards.
  "unsealed_entry",
  // The IP address no longer matches the keyed hash the chain covers.
  "ip_address_mismatch",
  // A daily anchor kept in R2 names a different hash at its position: the chain was rewritten.
  "anchor_mismatch",
  // The chain's recorded head does not match its last sealed entry.
  "head_mismatch",
] as const;
export type ChainBreak = (typeof CHAIN_BREAKS)[number];
