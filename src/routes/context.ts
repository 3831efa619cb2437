import type { GateVariables } from "../middleware/gate";
import type { IdempotencyVariables } from "../middleware/idempotency";
import type { Context } from "hono";
import type { PartnerEnv } from "../env";
import type { ServiceContext } from "../services/context";

/**
 * The service context of a partner request: the routes build it, so services never see HTTP.
 * Generic so that a route whose middleware adds variables (requireEntity) can pass its context.
 */
export function serviceContext<E extends PartnerEnv>(c: Context<E>): ServiceContext {
  const principal = c.get("principal");
  return {
    db: c.get("db"),
    env: c.env,
    principal,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? null,
    now: new Date().toISOString(),
    actor: { id: principal.credentialId, type: "partner" },
    defer: (work) => c.executionCtx.waitUntil(work),
    timer: c.get("timer"),
    idempotencyKey: c.req.header("idempotency-key") ?? c.req.header("x-idempotency-key") ?? null,
    beforeEffect: beforeEffect(c as unknown as Context<{ Variables: Partial<IdempotencyVariables & GateVariables> }>),
  };
}

/**
 * What a service awaits before a Durable Object acts or a document is stored: the partner gate's
 * answer on a write (middleware/gate.ts: a refused caller acts on nothing), then the upfront
 * claim of the Idempotency-Key (middleware/idempotency.ts).
 */
function beforeEffect(c: Context<{ Variables: Partial<IdempotencyVariables & GateVariables> }>): (() => Promise<void>) | undefined {
  const gate = c.get("gateFence");
  const claim = c.get("beforeEffect");
  if (!gate && !claim) return undefined;
  return async () => {
    await gate?.wait();
    await claim?.();
  };
}
