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

type VerifiedToken = { principal: Principal; exp: number };

/**
 * Access tokens verified in this isolate, by secret and token: a partner sends the same token on
 * every call for its hour, and verifying it (JOSE header and claims parsing, an HMAC key import
 * and a signature) was the largest piece of auth in the profile (`npm run profile:cpu`). A hit is
 * the exact string verified before under the same secret, so it proves what the verification
 * proved; its expiry is checked again on every use. Revocation does not depend on this cache:
 * the partner gate refuses a revoked credential's tokens on every request.
 */
const tokenCache = new Map<string, VerifiedToken>();
const TOKEN_CACHE_MAX = 1000;

/** Seconds since the epoch, as jose reads `exp` (a token is expired from its `exp` second on). */
const epochSeconds = () => Math.floor(Date.now() / 1000);

async function fromAccessToken(secret: string, token: string): Promise<Principal> {
  const cacheKey = `${secret}\u0000${token}`;
  const cached = tokenCache.get(cacheKey);
  if (cached) {
    if (epochSeconds() < cached.exp) return cached.principal;
    tokenCache.delete(cacheKey);
    throw new Unauthenticated("The access token has expired: request a new one at /v1/auth/token.", "token_expired");
  }
  const verified = await verifyAccessToken(secret, token);
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  tokenCache.set(cacheKey, verified);
  return verified.principal;
}

async function verifyAccessToken(secret: string, token: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, await jwtVerifyKey(secret), {
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
      principal: {
        partnerId: payload.sub,
        credentialId: payload.cid,
        mode,
        livemode: mode === "live",
        plan: payload.plan as Plan,
        scopes,
        via: "access_token",
      },
      exp: payload.exp!,
    };
  } catch (err) {
    const expired = (err as { code?: string }).code === "ERR_JWT_EXPIRED";
    throw new Unauthenticated(
      expired ? "The access token has expired: request a new one at /v1/auth/token." : "The access token is invalid.",
      expired ? "token_expired" : "invalid_token",
    );
  }
}

/** The HMAC verification key, imported once per isolate and secret (jose imports raw bytes on every call). */
const verifyKeys = new Map<string, Promise<CryptoKey>>();

function jwtVerifyKey(secret: string): Promise<CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", jwtKey(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    // A failed import must not stay cached for the isolate's lifetime.
    key.catch(() => verifyKeys.delete(secret));
    verifyKeys.set(secret, key);
  }
  return key;
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
