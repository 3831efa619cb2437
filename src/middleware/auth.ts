import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { createMiddleware } from "hono/factory";
import { jwtVerify } from "jose";
import { credentials, partners } from "../db/schema";
import { isScope, type Scope } from "../domain/scopes";
import type { PartnerEnv } from "../env";
import { sha256Hex } from "../lib/crypto";
import { Unauthenticated } from "../lib/errors";
import type { Mode, Plan, Principal } from "../lib/principal";
import { JWT_AUDIENCE, JWT_ISSUER, jwtKey } from "../services/auth/tokens";
/** What authenticate sets: the caller, for every operation of the partner API. */
export type AuthVariables = { principal: Principal };

/**
 * Resolves the caller into a Principal. Accepted, in order:
 * - `Authorization: Bearer <access token>` (JWT from /v1/auth/token, verified without storage);
 * - `Authorization: Bearer sk_…` or `Bearer pk_…:sk_…`;
 * - `X-API-Key: pk_…:sk_…` (or `sk_…` alone).
 * Revocation and the rate limit are enforced next, by the partner gate.
 */
export const authenticate = createMiddleware<PartnerEnv>(async (c, next) => {
  const authorization = c.req.header("authorization");
  const apiKey = c.req.header("x-api-key");
  let principal: Principal;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new Unauthenticated("Authorization header must be 'Bearer <token>'.", "malformed_authorization");
    const token = match[1]!;
    principal = looksLikeApiKey(token) ? await fromApiKey(c.get("db"), token) : await fromAccessToken(c.env.JWT_SECRET, token);
  } else if (apiKey) {
    principal = await fromApiKey(c.get("db"), apiKey.trim());
  } else {
    throw new Unauthenticated("No credentials: send 'Authorization: Bearer <token>' or 'X-API-Key: pk_…:sk_…'.", "missing_credentials");
  }
  c.set("principal", principal);
  await next();
});

function looksLikeApiKey(token: string): boolean {
  return /^(sk|pk)_(test|live)_/.test(token);
}

async function fromAccessToken(secret: string, token: string): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, jwtKey(secret), {
      algorithms: ["HS256"],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      // jose accepts a token without `exp` as valid forever: every token we issue has one, so one without is not ours.
      requiredClaims: ["exp"],
    });
    const mode = payload.mode as Mode;
    const scopes = String(payload.scope ?? "").split(" ").filter(isScope) as Scope[];
    if (typeof payload.sub !== "string" || typeof payload.cid !== "string" || (mode !== "test" && mode !== "live")) {
      throw new Error("claims");
    }
    return {
      partnerId: payload.sub,
      credentialId: payload.cid,
      mode,
      livemode: mode === "live",
      plan: payload.plan as Plan,
      scopes,
      via: "access_token",
    };
  } catch (err) {
    const expired = (err as { code?: string }).code === "ERR_JWT_EXPIRED";
    throw new Unauthenticated(
      expired ? "The access token has expired: request a new one at /v1/auth/token." : "The access token is invalid.",
      expired ? "token_expired" : "invalid_token",
    );
  }
}

type CachedKey = { principal: Principal; publishableKey: string; until: number };

/**
 * Secret-key lookups are cached per isolate for a short while: revocation does not depend on
 * this cache (the partner gate refuses revoked credentials on every request).
 */
const keyCache = new Map<string, CachedKey>();
const KEY_CACHE_MS = 60_000;

async function fromApiKey(db: Db, raw: string): Promise<Principal> {
  // `pk_…:sk_…` or `sk_…`, nothing more: anything after a second colon is refused, not ignored.
  const parts = raw.split(":");
  const [first, second] = parts;
  const secretKey = second ?? first!;
  const publishableKey = second !== undefined ? first : undefined;
  if (
    parts.length > 2 ||
    !/^sk_(test|live)_[0-9A-Za-z]{16,64}$/.test(secretKey) ||
    (publishableKey !== undefined && !/^pk_(test|live)_[0-9A-Za-z]{8,64}$/.test(publishableKey))
  ) {
    throw new Unauthenticated("API keys look like 'pk_test_…:sk_test_…' or 'sk_test_…'.", "malformed_api_key");
  }
  const hash = await sha256Hex(secretKey);
  let cached = keyCache.get(hash);
  if (!cached || cached.until < Date.now()) {
    const [row] = await db
      .select({
        id: credentials.id,
        partner_id: credentials.partner_id,
        mode: credentials.mode,
        scopes: credentials.scopes,
        publishable_key: credentials.publishable_key,
        plan: partners.plan,
      })
      .from(credentials)
      .innerJoin(partners, eq(partners.id, credentials.partner_id))
      .where(and(eq(credentials.secret_key_hash, hash), eq(credentials.status, "active")));
    if (!row) {
      keyCache.delete(hash);
      throw new Unauthenticated("Invalid API key.", "invalid_api_key");
    }
    cached = {
      principal: {
        partnerId: row.partner_id,
        credentialId: row.id,
        mode: row.mode,
        livemode: row.mode === "live",
        plan: row.plan,
        scopes: row.scopes.filter(isScope),
        via: "api_key",
      },
      publishableKey: row.publishable_key,
      until: Date.now() + KEY_CACHE_MS,
    };
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(hash, cached);
  }
  if (publishableKey && publishableKey !== cached.publishableKey) {
    throw new Unauthenticated("The publishable key does not belong to this secret key.", "invalid_api_key");
  }
  return cached.principal;
}
