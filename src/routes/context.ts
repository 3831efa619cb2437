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
    beforeEffect: (c as unknown as Context<{ Variables: Partial<IdempotencyVariables> }>).get("beforeEffect"),
  };
}
