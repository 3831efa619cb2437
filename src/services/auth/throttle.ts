import type { ThrottleRule } from "../../domain/auth-throttle";
import type { Env } from "../../env";
import { sha256Hex } from "../../lib/crypto";
import type { StorageTimer } from "../../lib/timing";

/**
 * Throttles of failed authentications (issue 10 §7, §8), counted by the AuthThrottle Durable
 * Object, one per bucket. Only failures count: a client that authenticates never meets them.
 * Once a bucket has used up its failures, every attempt in it is refused until its window ends,
 * the right secret included (otherwise the throttle would still answer "right" or "wrong").
 *
 * - Token endpoint, per client_id: caps guessing at one client's secret from any number of
 *   addresses. Someone who knows a client_id can hold its token requests off for a minute at a
 *   time; tokens last an hour and API keys are not affected, which is the accepted cost.
 * - Token endpoint, per IP: caps one address trying many client_ids.
 * - Admin API, per IP: the operator key has no client_id; it may be a typed passphrase, so the
 *   window is longer.
 *
 * The IP is CF-Connecting-IP, which Cloudflare's edge (and wrangler dev) sets and a client
 * cannot forge. A request without it did not come through the edge (a service binding, the test
 * harness): it has no IP bucket.
 */

export const TOKEN_CLIENT_RULE: ThrottleRule = { maxFailures: 10, windowSeconds: 60 };
export const TOKEN_IP_RULE: ThrottleRule = { maxFailures: 30, windowSeconds: 60 };
export const ADMIN_IP_RULE: ThrottleRule = { maxFailures: 10, windowSeconds: 600 };

export interface Bucket {
  key: string;
  rule: ThrottleRule;
}

export function tokenBuckets(clientId: string | undefined, ip: string | null | undefined): Bucket[] {
  const buckets: Bucket[] = [];
  if (clientId) buckets.push({ key: `token:client:${clientId}`, rule: TOKEN_CLIENT_RULE });
  if (ip) buckets.push({ key: `token:ip:${ip}`, rule: TOKEN_IP_RULE });
  return buckets;
}

export function adminBuckets(ip: string | null | undefined): Bucket[] {
  return ip ? [{ key: `admin:ip:${ip}`, rule: ADMIN_IP_RULE }] : [];
}

/** Object names are hashes: bounded length whatever a client sends, and no IP in clear. */
async function stub(env: Env, bucket: Bucket) {
  return env.AUTH_THROTTLE.getByName(await sha256Hex(bucket.key));
}

/** Seconds to wait when any bucket is blocked, or null when attempts are taken. */
export async function blockedFor(env: Env, timer: StorageTimer, buckets: Bucket[], parallel = false): Promise<number | null> {
  if (buckets.length === 0) return null;
  const states = await timer.measure("throttle", "failed-auth check", () => Promise.all(buckets.map(async (b) => (await stub(env, b)).check(b.rule))), parallel);
  return longest(states);
}

/** Counts a failed attempt in every bucket. The attempt itself is answered as failed (401); the next one meets the block. */
export async function recordFailure(env: Env, timer: StorageTimer, buckets: Bucket[]): Promise<void> {
  if (buckets.length === 0) return;
  await timer.measure("throttle", "failed-auth count", () => Promise.all(buckets.map(async (b) => (await stub(env, b)).fail(b.rule))));
}

function longest(states: { blocked: boolean; retryAfterSeconds: number }[]): number | null {
  const waits = states.filter((s) => s.blocked).map((s) => s.retryAfterSeconds);
  return waits.length ? Math.max(...waits) : null;
}
