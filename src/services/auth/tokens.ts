import { SignJWT } from "jose";
import type { Scope } from "../../domain/scopes";
import type { Mode, Plan } from "../../lib/principal";

export const JWT_ISSUER = "paiements-api";
export const JWT_AUDIENCE = "paiements-api/v1";
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

const keys = new Map<string, Uint8Array>();

export function jwtKey(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keys.set(secret, key);
  }
  return key;
}

export interface AccessTokenClaims {
  partnerId: string;
  credentialId: string;
  mode: Mode;
  plan: Plan;
  scopes: readonly Scope[];
}

/** HS256 access token: verified on each request without storage (DESIGN.md §2 latency budget). */
export async function signAccessToken(secret: string, claims: AccessTokenClaims, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ cid: claims.credentialId, mode: claims.mode, plan: claims.plan, scope: claims.scopes.join(" ") })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setSubject(claims.partnerId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(jwtKey(secret));
}
