import { and, eq, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { idempotencyKeys } from "../db/schema";
import { toHex } from "../lib/crypto";
import type { AppEnv } from "../env";
import { ApiError, ValidationError } from "../lib/errors";

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this whose request never finished (the isolate died) may be taken over. */
const ABANDONED_AFTER_MS = 60_000;

/**
 * `Idempotency-Key` (alias `X-Idempotency-Key`) on any mutation, per partner and mode, for 24 h:
 * - same key, same request: the first response is replayed with `Idempotent-Replayed: true`;
 * - same key, another method, path or body: 422 `idempotency_key_reused`;
 * - same key while the first is still running: 409 `idempotency_request_in_progress`.
 * As at Stripe, a result is kept only once the operation ran: a request refused by validation
 * (400, 413, 415) or failing with 5xx releases its key, so a corrected retry can use it; a claim
 * left in flight for over a minute (its isolate died) is taken over by the next attempt.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key") ?? c.req.header("x-idempotency-key");
  if (!MUTATIONS.has(c.req.method) || key === undefined) return next();
  if (!KEY_FORMAT.test(key)) {
    throw new ValidationError("Idempotency-Key must be 1 to 255 printable ASCII characters.", "Idempotency-Key", "invalid_idempotency_key");
  }
  const principal = c.get("principal");
  const db = c.get("db");
  // The body's bytes as sent (not decoded as text: a body of any content type hashes exactly).
  const body = new Uint8Array(await c.req.arrayBuffer());
  const url = new URL(c.req.url);
  const requestHash = await requestDigest(`${c.req.method} ${url.pathname}${url.search}\n`, body);
  const now = new Date();
  const where = and(
    eq(idempotencyKeys.partner_id, principal.partnerId),
    eq(idempotencyKeys.livemode, principal.livemode),
    eq(idempotencyKeys.key, key),
  );

  // Claim the key (or take over an expired one) and read whoever holds it, in one round trip.
  const [claimed, [holder]] = await db.batch([
    db
      .insert(idempotencyKeys)
      .values({
        partner_id: principal.partnerId,
        livemode: principal.livemode,
        key,
        request_hash: requestHash,
        status: "in_flight",
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.partner_id, idempotencyKeys.livemode, idempotencyKeys.key],
        set: {
          request_hash: requestHash,
          status: "in_flight",
          response_status: null,
          response_body: null,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
        },
        setWhere: sql`${idempotencyKeys.expires_at} < ${now.toISOString()} OR (${idempotencyKeys.status} = 'in_flight' AND ${idempotencyKeys.created_at} < ${new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString()})`,
      })
      .returning({ key: idempotencyKeys.key }),
    db.select().from(idempotencyKeys).where(where),
  ]);

  if (claimed.length === 0) {
    if (!holder || holder.request_hash !== requestHash) {
      throw new ApiError(422, "idempotency_error", "idempotency_key_reused", "This Idempotency-Key was already used with a different request (method, path or body).", "Idempotency-Key");
    }
    if (holder.status === "in_flight") {
      throw new ApiError(409, "idempotency_error", "idempotency_request_in_progress", "A request with this Idempotency-Key is still being processed; retry shortly.", "Idempotency-Key");
    }
    return new Response(replayedBody(holder.response_body, c.get("requestId")), {
      status: holder.response_status ?? 200,
      headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
    });
  }

  let completed = false;
  try {
    await next();
    const status = c.res.status;
    if (status < 500 && status !== 400 && status !== 413 && status !== 415) {
      const responseBody = await c.res.clone().text();
      await db
        .update(idempotencyKeys)
        .set({ status: "completed", response_status: status, response_body: responseBody })
        .where(where);
      completed = true;
    }
  } finally {
    if (!completed) await db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.status, "in_flight")));
  }
});

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

/** SHA-256 (hex) of the request line and the body bytes: for a UTF-8 body, that of the text `${line}${body}`. */
async function requestDigest(line: string, body: Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(line);
  const all = new Uint8Array(head.byteLength + body.byteLength);
  all.set(head);
  all.set(body, head.byteLength);
  return toHex(await crypto.subtle.digest("SHA-256", all));
}
