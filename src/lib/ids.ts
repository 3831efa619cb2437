/** Object ids: `<prefix>-<uuidv7>`, as in the seeds (`org-…`, `inv-…`); v7 keeps index inserts local. */

export const ID_PREFIX = {
  partner: "ptn",
  credential: "cred",
  organization: "org",
  department: "dept",
  bank_account: "ba",
  kyc: "kyc",
  audit_log: "log",
  event: "evt",
  invoice: "inv",
  credit_note: "cn",
  quote: "quo",
  message: "msg",
  dunning_rule: "dun",
  payment_link: "pl",
  payment_intent: "pi",
  payment: "pay",
  refund: "ref",
  webhook_subscription: "wh-sub",
  webhook_delivery: "whd",
  webhook_attempt: "wha",
  privacy_erasure: "pe",
} as const;

export type IdKind = keyof typeof ID_PREFIX;

let lastMs = 0;
let sequence = 0;

/**
 * UUIDv7, monotonic within an isolate: ids minted in the same millisecond carry an increasing
 * 12-bit counter (RFC 9562 §6.2, method 1), so rows written together sort in the order written.
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = Math.floor(Math.random() * 0x400);
  } else {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  // The 48-bit timestamp, big-endian (a double holds it exactly; no BigInt per byte).
  const high = Math.floor(lastMs / 0x100000000);
  const low = lastMs >>> 0;
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = low >>> 24;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let out = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
    out += HEX[bytes[i]!];
  }
  return out;
}

/** Two lowercase hex digits per byte value: ids are minted on every request (the call log's, events'). */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}-${uuidv7()}`;
}

/**
 * The id of `kind` that shares `other`'s uuid: a payment link's intent is `pi-<the link's uuid>`,
 * so revoking a link can ask its intent's object without reading the link first. Ids never
 * collide across kinds (each has its own prefix and table).
 */
export function pairedId(kind: IdKind, other: string): string {
  return `${ID_PREFIX[kind]}-${other.slice(-36)}`;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * True when `value` looks like an id of that kind; used to answer 404 early without a query.
 * A prefix may itself hold a dash (`wh-sub-…`): the uuid must follow it directly, so no kind's
 * id is ever taken for another's.
 */
export function isId(kind: IdKind, value: string): boolean {
  return idRegExp(kind).test(value);
}

/** Compiled once per kind and isolate: every request checks a few ids. No `g` flag, so `test` keeps no state. */
const compiled = new Map<IdKind, RegExp>();

function idRegExp(kind: IdKind): RegExp {
  let re = compiled.get(kind);
  if (!re) {
    re = new RegExp(`^${ID_PREFIX[kind]}-${UUID}$`);
    compiled.set(kind, re);
  }
  return re;
}

export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIX[kind]}-${UUID}$`);
}

/**
 * An id derived from a key: the same partner, mode and Idempotency-Key always give the same id,
 * so an operation retried after a crash (its idempotency claim taken over) reaches the same
 * object instead of creating a second one. Shaped like the others (prefix + uuid, version 8).
 */
export async function derivedId(kind: IdKind, scope: string, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${kind}\u0000${scope}\u0000${key}`)));
  const bytes = digest.slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${ID_PREFIX[kind]}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
