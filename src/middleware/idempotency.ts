import { and, eq, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { changes } from "../db/guarded";
import { idempotencyKeys } from "../db/schema";
import { seal, toHex, unseal } from "../lib/crypto";
import { purposeMacHex } from "../lib/keys";
import type { PartnerEnv } from "../env";
import { IdempotencyKeyInUse, IdempotencyKeyReused, ValidationError } from "../lib/errors";
import type { EntityVariables } from "./tenancy";

/** Runs on every mutation, with or without X-Entity-Id: the organization is there only where requireEntity ran. */
type IdempotencyEnv = PartnerEnv & { Variables: Partial<EntityVariables> };

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this whose request never finished (the isolate died) may be taken over. */
const ABANDONED_AFTER_MS = 60_000;

export interface IdempotencyOptions {
  /** How long a key and its kept result live (24 h). */
  ttlMs?: number;
  /** A claim still in flight after this long is abandoned: the same request may take it over. */
  abandonedAfterMs?: number;
}

/**
 * `Idempotency-Key` (alias `X-Idempotency-Key`) on any mutation, per partner, mode and
 * organization (the X-Entity-Id the operation acts for; none for partner-level operations):
 * - same key, same request: the first response is replayed with `Idempotent-Replayed: true`;
 * - same key, another method, path, query or body: 422 `idempotency_key_reused`;
 * - same key while the first is still running: 409 `idempotency_request_in_progress`.
 *
 * It runs after the route's own scope and tenancy middleware (createRouter appends it to every
 * mutation route), so a replay is only ever given to a caller who passes the checks the first
 * request passed. Only what the operation decided is kept (see keepsResponse); a claim left in
 * flight for over a minute (its isolate died) is taken over by the same request only. Every claim
 * carries its own claim_id, which its completion and release must match: a slow first request
 * cannot overwrite a later holder's result nor delete its claim. Kept responses are sealed: some
 * show a secret once (a webhook signing secret).
 */
export function idempotency(options: IdempotencyOptions = {}): MiddlewareHandler<IdempotencyEnv> {
  const limits = { ttlMs: options.ttlMs ?? IDEMPOTENCY_TTL_MS, abandonedAfterMs: options.abandonedAfterMs ?? ABANDONED_AFTER_MS };
  return createMiddleware<IdempotencyEnv>(async (c, next) => {
    const key = c.req.header("idempotency-key") ?? c.req.header("x-idempotency-key");
    if (!MUTATIONS.has(c.req.method) || key === undefined) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new ValidationError("Idempotency-Key must be 1 to 255 printable ASCII characters.", "Idempotency-Key", "invalid_idempotency_key");
    }
    const principal = c.get("principal");
    const scope: KeyScope = { partnerId: principal.partnerId, livemode: principal.livemode, organizationId: c.get("entityId") ?? "", key };
    const db = c.get("db");
    // The body's bytes as sent (not decoded as text: a body of any content type hashes exactly).
    const body = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const fingerprint = await requestFingerprint(c.env.ENCRYPTION_KEY, `${c.req.method} ${url.pathname}${url.search}`, body);

    const claim = await claimKey(db, scope, fingerprint, new Date(), limits);
    if (!claim.claimed) {
      const { holder } = claim;
      if (holder && holder.request_hash !== fingerprint) throw new IdempotencyKeyReused();
      if (!holder || holder.status === "in_flight") {
        throw new IdempotencyKeyInUse();
      }
      const stored = holder.response_body === null ? null : await unseal(c.env.ENCRYPTION_KEY, holder.response_body, sealContext(holder.claim_id));
      return new Response(replayedBody(stored, c.get("requestId")), {
        status: holder.response_status ?? 200,
        headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
      });
    }

    let kept = false;
    try {
      await next();
      const responseBody = await c.res.clone().text();
      if (keepsResponse(c.res.status, errorOf(responseBody))) {
        await completeClaim(db, c.env.ENCRYPTION_KEY, scope, claim.claimId, c.res.status, responseBody);
        kept = true;
      }
    } finally {
      if (!kept) await releaseClaim(db, scope, claim.claimId);
    }
  });
}

/**
 * Whether a response is the operation's own decision, kept and replayed for 24 h, or a refusal
 * that happened before it ran (or that asks for a retry), after which the key is released so the
 * corrected or repeated request runs:
 * - 2xx: kept;
 * - 404: kept when it names the operation's target or a referenced object; released when it is
 *   the organization of X-Entity-Id (tenancy, like a wrong credential);
 * - 409: kept (a state conflict), except `concurrent_update`, whose message says to retry;
 * - 422: kept (a business rule);
 * - any `idempotency_*` error (a replay refused further in, e.g. by the payment intent object):
 *   released, as the middleware's own refusals keep nothing;
 * - everything else released: 400/413/415 validation, 401/403 authentication and scope, 429 rate
 *   limit, 5xx.
 */
export function keepsResponse(status: number, error: { code?: string | undefined; param?: string | undefined } = {}): boolean {
  if (status >= 200 && status < 300) return true;
  if (error.code?.startsWith("idempotency_")) return false;
  if (status === 404) return error.param !== "X-Entity-Id";
  if (status === 409) return error.code !== "concurrent_update";
  return status === 422;
}

/** `code` and `param` of an error envelope, if the body is one. */
function errorOf(body: string): { code?: string; param?: string } {
  if (!body.startsWith('{"error":')) return {};
  try {
    const { error } = JSON.parse(body) as { error?: { code?: unknown; param?: unknown } };
    return {
      ...(typeof error?.code === "string" ? { code: error.code } : {}),
      ...(typeof error?.param === "string" ? { param: error.param } : {}),
    };
  } catch {
    return {};
  }
}

// ── the key's record: claim, complete, release (exported for the fencing tests) ─────────────

/** What a key is scoped to: partner, mode, organization ('' for partner-level operations). */
export interface KeyScope {
  partnerId: string;
  livemode: boolean;
  organizationId: string;
  key: string;
}

export type KeyRecord = typeof idempotencyKeys.$inferSelect;

function ofScope(scope: KeyScope) {
  return and(
    eq(idempotencyKeys.partner_id, scope.partnerId),
    eq(idempotencyKeys.livemode, scope.livemode),
    eq(idempotencyKeys.organization_id, scope.organizationId),
    eq(idempotencyKeys.key, scope.key),
  );
}

/**
 * Claims the key, or takes over an expired one or an abandoned claim of the same request, and
 * reads whoever holds it, in one round trip. An abandoned claim of another request is not taken
 * over: its first attempt may have done its work (a refund id derives from the key), and the
 * caller gets 422 as for any reuse.
 */
export async function claimKey(
  db: Db,
  scope: KeyScope,
  fingerprint: string,
  now: Date,
  limits: { ttlMs: number; abandonedAfterMs: number },
): Promise<{ claimed: true; claimId: string } | { claimed: false; holder: KeyRecord | undefined }> {
  const claimId = crypto.randomUUID();
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + limits.ttlMs).toISOString();
  const abandonedBefore = new Date(now.getTime() - limits.abandonedAfterMs).toISOString();
  const [claimed, [holder]] = await db.batch([
    db
      .insert(idempotencyKeys)
      .values({
        partner_id: scope.partnerId,
        livemode: scope.livemode,
        organization_id: scope.organizationId,
        key: scope.key,
        claim_id: claimId,
        request_hash: fingerprint,
        status: "in_flight",
        created_at: createdAt,
        expires_at: expiresAt,
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.partner_id, idempotencyKeys.livemode, idempotencyKeys.organization_id, idempotencyKeys.key],
        set: { claim_id: claimId, request_hash: fingerprint, status: "in_flight", response_status: null, response_body: null, created_at: createdAt, expires_at: expiresAt },
        setWhere: sql`${idempotencyKeys.expires_at} < ${createdAt} OR (${idempotencyKeys.status} = 'in_flight' AND ${idempotencyKeys.created_at} < ${abandonedBefore} AND ${idempotencyKeys.request_hash} = ${fingerprint})`,
      })
      .returning({ claim_id: idempotencyKeys.claim_id }),
    db.select().from(idempotencyKeys).where(ofScope(scope)),
  ]);
  return claimed.length > 0 ? { claimed: true, claimId } : { claimed: false, holder };
}

/** Stores the response, sealed, if this claim still holds the key. False when another claim took it over. */
export async function completeClaim(db: Db, encryptionKey: string, scope: KeyScope, claimId: string, status: number, body: string): Promise<boolean> {
  const sealed = await seal(encryptionKey, body, sealContext(claimId));
  const result = await db
    .update(idempotencyKeys)
    .set({ status: "completed", response_status: status, response_body: sealed })
    .where(and(ofScope(scope), eq(idempotencyKeys.claim_id, claimId), eq(idempotencyKeys.status, "in_flight")))
    .run();
  return changes(result) > 0;
}

/** Frees the key for the next attempt, if this claim still holds it. */
export async function releaseClaim(db: Db, scope: KeyScope, claimId: string): Promise<boolean> {
  const result = await db
    .delete(idempotencyKeys)
    .where(and(ofScope(scope), eq(idempotencyKeys.claim_id, claimId), eq(idempotencyKeys.status, "in_flight")))
    .run();
  return changes(result) > 0;
}

/** Binds a sealed response to its claim: copied into another row, it does not decrypt. */
function sealContext(claimId: string): string {
  return `idempotency_key:${claimId}`;
}

/**
 * The stored response, as replayed: an error envelope names the request being answered in its
 * `request_id` (the X-Request-Id of this response), not the first request's. Anything else is
 * replayed byte for byte.
 */
function replayedBody(stored: string | null, requestId: string): string | null {
  if (stored === null || !stored.startsWith('{"error":')) return stored;
  try {
    const body = JSON.parse(stored) as { error?: { request_id?: unknown } };
    if (!body.error || typeof body.error.request_id !== "string") return stored;
    body.error.request_id = requestId;
    return JSON.stringify(body);
  } catch {
    return stored;
  }
}

/**
 * HMAC-SHA256 (hex) of the request line and of the SHA-256 of the body bytes, under the
 * idempotency subkey of ENCRYPTION_KEY (lib/keys.ts): a body may hold an IBAN or a payer's email, and a plain hash of it could be
 * confirmed by guessing. Exported for tests that plant a claim of a given request.
 */
export async function requestFingerprint(encryptionKey: string, line: string, body: Uint8Array): Promise<string> {
  const bodyDigest = toHex(await crypto.subtle.digest("SHA-256", body));
  return purposeMacHex(encryptionKey, "idempotency_fingerprint", `${line}\n${bodyDigest}`);
}
