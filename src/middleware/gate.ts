import { createMiddleware } from "hono/factory";
import type { PartnerEnv } from "../env";
import { RateLimited, Unauthenticated } from "../lib/errors";
import { errorResponse } from "../lib/http-errors";
import type { GateDecision } from "../durable/partner-gate";

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Asks the partner's gate (rate limit + revocation) on every authenticated request; the limit
 * is counted per mode, and the X-RateLimit-* headers describe the caller's mode's window.
 * Reads run the gate call in parallel with the handler's own query, so it adds no sequential
 * round trip, and the answer is swapped for a 401/429 if the gate says no. Mutations wait for
 * the gate first: nothing may be written by a revoked or throttled caller.
 */
export const gate = createMiddleware<PartnerEnv>(async (c, next) => {
  const principal = c.get("principal");
  const stub = c.env.PARTNER_GATE.getByName(principal.partnerId);
  const isMutation = MUTATIONS.has(c.req.method);
  const decision = c
    .get("timer")
    .measure("gate", "rate limit + revocation", () => stub.hit(principal.credentialId, principal.mode, principal.plan), !isMutation);

  if (isMutation) {
    const d = await decision;
    const refused = refusal(d);
    if (refused) {
      c.res = errorResponse(c, refused, c.get("requestId"));
    } else {
      await next();
    }
    stampHeaders(c.res.headers, d);
    return;
  }
  // Reads: let the query run while the gate answers; a refusal replaces whatever it produced.
  decision.catch(() => undefined);
  await next();
  const d = await decision;
  const refused = refusal(d);
  if (refused) c.res = errorResponse(c, refused, c.get("requestId"));
  stampHeaders(c.res.headers, d);
});

function refusal(d: GateDecision): Unauthenticated | RateLimited | null {
  if (!d.credentialActive) return new Unauthenticated("These credentials have been revoked.", "credentials_revoked");
  if (!d.allowed) return new RateLimited(Math.max(1, Math.ceil(d.resetAt - Date.now() / 1000)), d.limit ?? 0);
  return null;
}

function stampHeaders(headers: Headers, d: GateDecision): void {
  if (d.limit === null) return;
  headers.set("X-RateLimit-Limit", String(d.limit));
  headers.set("X-RateLimit-Remaining", String(d.remaining));
  headers.set("X-RateLimit-Reset", String(d.resetAt));
}
