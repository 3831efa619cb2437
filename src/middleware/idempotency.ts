import { and, eq, gte, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { claimingD1 } from "../db/claiming-d1";
import { upfrontClaimD1 } from "../db/upfront-claim-d1";
import { createDb, type Db } from "../db/client";
import { changes } from "../db/guarded";
import { idempotencyKeys } from "../db/schema";
import { seal, toHex, unseal } from "../lib/crypto";
import { purposeMacHex } from "../lib/keys";
import type { PartnerEnv } from "../env";
import { IdempotencyKeyInUse, IdempotencyKeyReused, ValidationError } from "../lib/errors";
import type { GateVariables } from "./gate";
import type { EntityVariables } from "./tenancy";

/** Set by `claimsUpfront` on the routes whose first effect is a Durable Object call. */
export type IdempotencyVariables = {
  idempotencyUpfront: boolean;
  /** On upfront routes: claims the key, if not yet done, before a Durable Object call (services/context.ts intentCall). */
  beforeEffect: () => Promise<void>;
};

/** Runs on every mutation, with or without X-Entity-Id: the organization is there only where requireEntity ran. */
type IdempotencyEnv = PartnerEnv & { Variables: Partial<EntityVariables> & Partial<IdempotencyVariables> & Partial<GateVariables> };

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An upfront claim older than this whose request never finished (the isolate died) may be taken over. */
const ABANDONED_AFTER_MS = 60_000;

export interface IdempotencyOptions {
  /** How long a key and its kept result live (24 h). */
  ttlMs?: number;
  /** An upfront claim still in flight after this long is abandoned: the same request may take it over. */
  abandonedAfterMs?: number;
}

/**
 * Route middleware of the operations whose first effect is a Durable Object call, not a D1 batch
 * (a refund, a capture or cancellation of a payment intent, a link's revocation, the sandbox's
 * simulations and sweeps): the object acts before any batch of the request could carry the key,
 * so their key is claimed upfront, in a round trip of its own, as before issue 16. Declared in
 * those route files (their `middleware`), so the list is explicit and `grep claimsUpfront` finds it.
 */
export const claimsUpfront: MiddlewareHandler<{ Variables: IdempotencyVariables }> = createMiddleware<{ Variables: IdempotencyVariables }>(async (c, next) => {
  c.set("idempotencyUpfront", true);
  await next();
});

/**
 * `Idempotency-Key` (alias `X-Idempotency-Key`) on any mutation, per partner, mode and
 * organization (the X-Entity-Id the operation acts for; none for partner-level operations):
 * - same key, same request: the kept response is replayed with `Idempotent-Replayed: true`;
 * - same key, another method, path, query or body: 422 `idempotency_key_reused`;
 * - same key while the first is still running: 409 `idempotency_request_in_progress`.
 *
 * It runs after the route's own scope and tenancy middleware (createRouter appends it to every
 * mutation route), so a replay is only ever given to a caller who passes the checks the first
 * request passed. Kept responses are sealed: some show a secret once (a webhook signing secret).
 *
 * Two ways to hold the key:
 * - By default (lazy), no round trip of its own: the key row is written by the operation's own
 *   first write batch (db/claiming-d1.ts), so it exists exactly when the operation's work does.
 *   A duplicate's batch then fails on it, writing nothing, and only then is the holder read (one
 *   round trip, in that case alone) to replay, refuse (422) or answer 409. What is kept is what
 *   that committed request answered, whatever its status (its work is done: a 409 of a guard
 *   that matched nothing or a 5xx after the commit is its answer too); it is stored after the
 *   response, in waitUntil, so until it lands a duplicate gets 409. A request that wrote nothing
 *   (refused before its batch, or its batch failed) keeps nothing: a retry runs again. No claim
 *   is ever abandoned (a row exists only for work done), so none is taken over: a lost
 *   completion means 409 until the key expires, never a second execution.
 * - Upfront (`claimsUpfront` routes): claimed before the handler runs, completed or released
 *   after it according to keepsResponse; a claim left in flight for over a minute (its isolate
 *   died) is taken over by the same request only.
 * Every claim carries its own claim_id, which its completion and release must match: a slow
 * first request cannot overwrite a later holder's result nor delete its claim.
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

    if (!c.get("idempotencyUpfront")) {
      const claimId = crypto.randomUUID();
      const claiming = claimingD1(db.$client, (d1) => claimStatements(d1, scope, claimId, fingerprint, new Date(), limits.ttlMs));
      c.set("db", createDb(claiming.d1));
      await next();
      const outcome = await claiming.settle();
      if (outcome !== "claimed") {
        // Held: our batch failed on the key. None: we wrote nothing (a refusal, a no-op, a state
        // our duplicate already changed, e.g. an invoice it issued): a holder, if any, answers.
        // One round trip, on these paths only; a request that wrote pays none.
        const [holder] = await db.select().from(idempotencyKeys).where(and(ofScope(scope), gte(idempotencyKeys.expires_at, new Date().toISOString())));
        if (outcome === "none" && holder === undefined) return;
        // Replace, not merge (Hono's setter copies the old headers): the refused batch's answer
        // leaves nothing behind. A refusal thrown below is answered by onError on a clean slate.
        c.res = undefined as unknown as Response;
        c.res = await answerFromHolder(c.env.ENCRYPTION_KEY, holder, fingerprint, c.get("requestId"));
      } else {
        // Sealed now (CPU only), so the completion's one statement leaves before the response does;
        // on the plain binding, so it is not counted among the request's round trips (it is not one).
        const sealed = await sealResponse(c.env.ENCRYPTION_KEY, claimId, await c.res.clone().text());
        await afterResponse(c, storeCompletion(createDb(c.env.DB), scope, claimId, c.res.status, sealed));
      }
      return;
    }

    // Upfront: the key is ours before the object acts — in front of the operation's first read
    // batch, or alone just before its first other step (db/upfront-claim-d1.ts).
    const claimId = crypto.randomUUID();
    const upfront = upfrontClaimD1<KeyRecord>(db.$client, (d1) => upfrontClaimStatements(d1, scope, claimId, fingerprint, new Date(), limits));
    c.set("db", createDb(upfront.d1));
    c.set("beforeEffect", upfront.claimNow);
    await next();
    const outcome = await upfront.settle();
    if (outcome.state === "held") {
      c.res = undefined as unknown as Response;
      c.res = await answerFromHolder(c.env.ENCRYPTION_KEY, outcome.holder, fingerprint, c.get("requestId"));
      return;
    }
    // Nothing ran (refused before any storage call): nothing was claimed.
    if (outcome.state === "none") return;
    // The claim may have ridden ahead of the gate in the read batch (db/fenced-d1.ts aheadOfGate):
    // a caller the gate refuses keeps nothing (its answer becomes the gate's 401/429), so a
    // later request with the key runs.
    const gateAllowed = await (c.get("gateFence")?.wait().then(
      () => true,
      () => false,
    ) ?? true);
    // The completion or the release leaves after the response (a duplicate meanwhile gets 409, as
    // while the operation ran); on the plain binding, off the request's round trips.
    const plain = createDb(c.env.DB);
    const responseBody = await c.res.clone().text();
    if (gateAllowed && keepsResponse(c.res.status, errorOf(responseBody))) {
      const sealed = await sealResponse(c.env.ENCRYPTION_KEY, claimId, responseBody);
      await afterResponse(c, storeCompletion(plain, scope, claimId, c.res.status, sealed));
    } else {
      await afterResponse(c, releaseClaim(plain, scope, claimId));
    }
  });
}

/** Work that need not delay the response: handed to waitUntil, or awaited where there is no execution context (app.request in a script). */
async function afterResponse(c: { executionCtx: { waitUntil(promise: Promise<unknown>): void } }, work: Promise<unknown>): Promise<void> {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    await work;
  }
}

/** What a request whose key another holds is answered: 422 for another request, 409 while in flight, else the kept response. */
async function answerFromHolder(encryptionKey: string, holder: KeyRecord | undefined, fingerprint: string, requestId: string): Promise<Response> {
  if (holder && holder.request_hash !== fingerprint) throw new IdempotencyKeyReused();
  // No holder: it expired and was purged in between; the 409's retry will run.
  if (!holder || holder.status === "in_flight") throw new IdempotencyKeyInUse();
  const stored = holder.response_body === null ? null : await unseal(encryptionKey, holder.response_body, sealContext(holder.claim_id));
  return new Response(replayedBody(stored, requestId), {
    status: holder.response_status ?? 200,
    headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
  });
}

/**
 * On the upfront path (`claimsUpfront` routes) only: whether a response is the operation's own
 * decision, kept and replayed for 24 h, or a refusal that happened before it ran (or that asks
 * for a retry), after which the key is released so the corrected or repeated request runs:
 * - 2xx: kept;
 * - 404: kept when it names the operation's target or a referenced object; released when it is
 *   the organization of X-Entity-Id (tenancy, like a wrong credential);
 * - 409: kept (a state conflict), except `concurrent_update`, whose message says to retry;
 * - 422: kept (a business rule);
 * - any `idempotency_*` error (a replay refused further in, e.g. by the payment intent object):
 *   released, as the middleware's own refusals keep nothing;
 * - everything else released: 400/413/415 validation, 401/403 authentication and scope, 429 rate
 *   limit, 5xx.
 * On the lazy path the question does not arise: what is kept is the answer of a request whose
 * batch committed, and a request that wrote nothing keeps nothing.
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

/** Builds SQL only (never runs anything): the claim statements are prepared on the request's client. */
const sqlBuilder = createDb({} as D1Database);

/**
 * The lazy claim, in front of the operation's first write batch: the key's row is deleted if it
 * has expired, then inserted as `in_flight` with no ON CONFLICT, so that a live holder fails the
 * whole batch on the primary key (db/claiming-d1.ts). Exported for the tests that hold a
 * completion back.
 */
export function claimStatements(d1: D1Database, scope: KeyScope, claimId: string, fingerprint: string, now: Date, ttlMs: number): D1PreparedStatement[] {
  const createdAt = now.toISOString();
  const expired = sqlBuilder
    .delete(idempotencyKeys)
    .where(and(ofScope(scope), sql`${idempotencyKeys.expires_at} < ${createdAt}`))
    .toSQL();
  const insert = sqlBuilder
    .insert(idempotencyKeys)
    .values(claimRow(scope, claimId, fingerprint, createdAt, new Date(now.getTime() + ttlMs).toISOString()))
    .toSQL();
  return [expired, insert].map((q) => d1.prepare(q.sql).bind(...q.params));
}

/** A key's row as a claim writes it: in flight, no response yet. */
function claimRow(scope: KeyScope, claimId: string, fingerprint: string, createdAt: string, expiresAt: string) {
  return {
    partner_id: scope.partnerId,
    livemode: scope.livemode,
    organization_id: scope.organizationId,
    key: scope.key,
    claim_id: claimId,
    request_hash: fingerprint,
    status: "in_flight" as const,
    created_at: createdAt,
    expires_at: expiresAt,
  };
}

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
 * The upfront claim as two statements to batch with others (db/upfront-claim-d1.ts): claimKey's
 * upsert, RETURNING the claim id only when it claimed, then the holder.
 */
export function upfrontClaimStatements(
  d1: D1Database,
  scope: KeyScope,
  claimId: string,
  fingerprint: string,
  now: Date,
  limits: { ttlMs: number; abandonedAfterMs: number },
): [D1PreparedStatement, D1PreparedStatement] {
  const [upsert, holder] = claimQueries(sqlBuilder, scope, claimId, fingerprint, now, limits).map((q) => q.toSQL());
  return [d1.prepare(upsert!.sql).bind(...upsert!.params), d1.prepare(holder!.sql).bind(...holder!.params)];
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
  const [claimed, [holder]] = await db.batch(claimQueries(db, scope, claimId, fingerprint, now, limits));
  return claimed.length > 0 ? { claimed: true, claimId } : { claimed: false, holder };
}

/** The upfront claim's upsert (RETURNING the claim id only when it claimed) and the holder's select, on `db`. */
function claimQueries(db: Db, scope: KeyScope, claimId: string, fingerprint: string, now: Date, limits: { ttlMs: number; abandonedAfterMs: number }) {
  const createdAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + limits.ttlMs).toISOString();
  const abandonedBefore = new Date(now.getTime() - limits.abandonedAfterMs).toISOString();
  return [
    db
      .insert(idempotencyKeys)
      .values(claimRow(scope, claimId, fingerprint, createdAt, expiresAt))
      .onConflictDoUpdate({
        target: [idempotencyKeys.partner_id, idempotencyKeys.livemode, idempotencyKeys.organization_id, idempotencyKeys.key],
        set: { claim_id: claimId, request_hash: fingerprint, status: "in_flight", response_status: null, response_body: null, created_at: createdAt, expires_at: expiresAt },
        setWhere: sql`${idempotencyKeys.expires_at} < ${createdAt} OR (${idempotencyKeys.status} = 'in_flight' AND ${idempotencyKeys.created_at} < ${abandonedBefore} AND ${idempotencyKeys.request_hash} = ${fingerprint})`,
      })
      .returning({ claim_id: idempotencyKeys.claim_id }),
    db.select().from(idempotencyKeys).where(ofScope(scope)),
  ] as const;
}

/** Stores the response, sealed, if this claim still holds the key. False when another claim took it over. */
export async function completeClaim(db: Db, encryptionKey: string, scope: KeyScope, claimId: string, status: number, body: string): Promise<boolean> {
  return storeCompletion(db, scope, claimId, status, await sealResponse(encryptionKey, claimId, body));
}

/** The response as stored: sealed, bound to its claim. */
export function sealResponse(encryptionKey: string, claimId: string, body: string): Promise<string> {
  return seal(encryptionKey, body, sealContext(claimId));
}

/** Marks the claim completed with its sealed response, if it still holds the key in flight. */
export async function storeCompletion(db: Db, scope: KeyScope, claimId: string, status: number, sealed: string): Promise<boolean> {
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
