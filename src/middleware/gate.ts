import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { fencedD1, type Fence } from "../db/fenced-d1";
import type { PartnerEnv } from "../env";
import { RateLimited, Unauthenticated } from "../lib/errors";
import { errorResponse } from "../lib/http-errors";
import type { GateDecision } from "../durable/partner-gate";

const MUTATIONS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Asks the partner's gate (rate limit + revocation) on every authenticated request; the limit
 * is counted per mode, and the X-RateLimit-* headers describe the caller's mode's window.
 * Reads run the gate call in parallel with the handler's own query, so it adds no sequential
 * round trip, and the answer is swapped for a 401/429 if the gate says no. Mutations too, up to
 * their first write: nothing may be written by a revoked or throttled caller, so writes, object
 * calls and document stores wait for the gate (a fence); the reads before them run alongside it.
 */
export type GateVariables = { gateFence: Fence };

export const gate = createMiddleware<PartnerEnv & { Variables: Partial<GateVariables> }>(async (c, next) => {
  const principal = c.get("principal");
  const stub = c.env.PARTNER_GATE.getByName(principal.partnerId);
  const isMutation = MUTATIONS.has(c.req.method);
  // A write's reads may run while the gate answers: the gate then counts as parallel.
  let overlapped = false;
  let answered = false;
  const decision = c.get("timer").measure(
    "gate",
    "rate limit + revocation",
    () => stub.hit(principal.credentialId, principal.mode, principal.plan).finally(() => (answered = true)),
    isMutation ? () => overlapped : true,
  );

  if (isMutation) {
    // Writes (and object calls, document stores: services' beforeEffect) wait for the gate; the
    // operation's reads do not (db/fenced-d1.ts). Nothing is written by a revoked or throttled
    // caller, and whatever it read is answered by the refusal instead.
    decision.catch(() => undefined);
    const fence: Fence = {
      wait: async () => {
        const refused = refusal(await decision);
        if (refused) throw refused;
      },
      readStarted: () => {
        if (!answered) overlapped = true;
      },
    };
    c.set("gateFence", fence);
    c.set("db", createDb(fencedD1(c.get("db").$client, fence)));
    await next();
    const d = await decision;
    const refused = refusal(d);
    if (refused) c.res = errorResponse(c, refused, c.get("requestId"));
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
