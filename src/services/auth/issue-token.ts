import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { credentials, partners } from "../../db/schema";
import { isScope, narrowScopes, parseScopeString, type Scope } from "../../domain/scopes";
import { safeEqual, sha256Hex } from "../../lib/crypto";
import type { Env } from "../../env";
import type { StorageTimer } from "../../lib/timing";
import { blockedFor, recordFailure, tokenBuckets } from "./throttle";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "./tokens";

/** RFC 6749 §5.2 error: the token endpoint's own envelope (the route gives it its status). */
export class OAuthError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_client" | "invalid_grant" | "unsupported_grant_type" | "invalid_scope",
    readonly description: string,
    /** A throttled client: seconds before it may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

export const IssueTokenInput = z
  .object({
    grant_type: z.string().openapi({ example: "client_credentials" }),
    client_id: z.string().optional().openapi({ example: "cli_test_4eC39HqLyjWDarjtT1zdp7dc" }),
    client_secret: z.string().optional().openapi({ example: "cs_test_…" }),
    scope: z
      .string()
      .optional()
      .openapi({ description: "Space-separated scopes; `partner` is all. Defaults to the credential's scopes.", example: "partner" }),
  })
  .openapi("TokenRequest");

/** As read: the body of the media type not sent reaches here unvalidated, so every field may be missing. */
export type TokenRequest = Partial<z.infer<typeof IssueTokenInput>>;

/**
 * issueToken behind the failed-authentication throttles (services/auth/throttle.ts): the block
 * check runs in parallel with the credential lookup, so a client that authenticates pays no
 * extra round trip; a wrong client or secret is counted. A blocked client_id or IP is answered
 * 429 `invalid_client` with Retry-After, whether or not the secret was right. `invalid_client`
 * because RFC 6749 §5.2 has no rate-limit code, and that one is true (client authentication is
 * refused) and makes OAuth libraries stop rather than retry blindly; `slow_down` (RFC 8628)
 * belongs to the device flow, which generic clients do not parse at this endpoint.
 */
export async function issueThrottledToken({ env, db, timer, ip, req }: { env: Env; db: Db; timer: StorageTimer; ip: string | null; req: TokenRequest }) {
  const buckets = tokenBuckets(req.client_id, ip);
  const [wait, outcome] = await Promise.all([
    blockedFor(env, timer, buckets, true),
    issueToken(db, env.JWT_SECRET, req).then(
      (token) => ({ ok: true as const, token }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  ]);
  if (wait !== null) {
    throw new OAuthError("invalid_client", `Too many failed client authentications for this client or from this address: try again in ${wait} s.`, wait);
  }
  if (outcome.ok) return outcome.token;
  if (outcome.error instanceof OAuthError && outcome.error.error === "invalid_client") await recordFailure(env, timer, buckets);
  throw outcome.error;
}

export async function issueToken(db: Db, jwtSecret: string, req: TokenRequest) {
  if (!req.grant_type) throw new OAuthError("invalid_request", "grant_type is required.");
  if (req.grant_type !== "client_credentials") {
    throw new OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
  }
  if (!req.client_id || !req.client_secret) {
    throw new OAuthError("invalid_request", "client_id and client_secret are required (in the body or as HTTP Basic).");
  }
  const [row] = await db
    .select({ cred: credentials, plan: partners.plan })
    .from(credentials)
    .innerJoin(partners, eq(partners.id, credentials.partner_id))
    .where(and(eq(credentials.client_id, req.client_id), eq(credentials.status, "active")));
  // Compare hashes even when the client is unknown, so timing does not tell which part was wrong.
  const presented = await sha256Hex(req.client_secret);
  const ok = await safeEqual(presented, row?.cred.client_secret_hash ?? "0".repeat(64));
  if (!row || !ok) throw new OAuthError("invalid_client", "Client authentication failed.");

  const held = row.cred.scopes.filter(isScope) as Scope[];
  let scopes: Scope[] = held;
  if (req.scope !== undefined && req.scope.trim() !== "") {
    const { scopes: requested, unknown } = parseScopeString(req.scope);
    if (unknown.length) throw new OAuthError("invalid_scope", `Unknown scope: ${unknown.join(" ")}.`);
    const { granted, refused } = narrowScopes(held, requested);
    if (refused.length) throw new OAuthError("invalid_scope", `This client may not request: ${refused.join(" ")}.`);
    scopes = granted;
  }
  const accessToken = await signAccessToken(jwtSecret, {
    partnerId: row.cred.partner_id,
    credentialId: row.cred.id,
    mode: row.cred.mode,
    plan: row.plan,
    scopes,
  });
  return { access_token: accessToken, token_type: "Bearer" as const, expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: scopes.join(" ") };
}
