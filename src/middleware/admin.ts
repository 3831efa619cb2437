import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { safeEqual } from "../lib/crypto";
import { TooManyFailures, Unauthenticated } from "../lib/errors";
import { errorResponse } from "../lib/http-errors";
import { adminBuckets, blockedFor, recordFailure } from "../services/auth/throttle";

/**
 * Operator endpoints: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time.
 * Wrong keys are throttled per client IP (services/auth/throttle.ts): 10 in 10 minutes, then
 * every attempt from that address is answered 429 until the window ends, the right key included.
 * A request that sends no Authorization header is refused without being counted: it guesses nothing.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? "");
  const expected = c.env.ADMIN_API_KEY;
  const buckets = adminBuckets(c.req.header("cf-connecting-ip"));
  const [wait, ok] = await Promise.all([
    blockedFor(c.env, c.get("timer"), buckets),
    match && expected ? safeEqual(match[1]!, expected) : Promise.resolve(false),
  ]);
  if (wait !== null) return errorResponse(c, new TooManyFailures(wait), c.get("requestId"));
  if (!ok) {
    if (header) await recordFailure(c.env, c.get("timer"), buckets);
    // No header: the challenge alone (RFC 6750 §3.1); a key sent and refused: invalid_token, in realm paiements-admin (lib/http-errors.ts).
    throw new Unauthenticated(
      header ? "The admin key is not the ADMIN_API_KEY: admin endpoints need 'Authorization: Bearer <ADMIN_API_KEY>'." : "Admin endpoints need 'Authorization: Bearer <ADMIN_API_KEY>'.",
      "invalid_admin_key",
      header !== undefined,
    );
  }
  await next();
});
