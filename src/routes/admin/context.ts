import type { Context } from "hono";
import type { AppEnv } from "../../env";
import type { OperatorContext } from "../../services/partners/admin";

export function operatorContext(c: Context<AppEnv>): OperatorContext {
  return {
    db: c.get("db"),
    env: c.env,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? null,
    now: new Date().toISOString(),
  };
}
