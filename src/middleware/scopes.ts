import { createMiddleware } from "hono/factory";
import { grants, type Scope } from "../domain/scopes";
import type { PartnerEnv } from "../env";
import { Forbidden } from "../lib/errors";

/** Per-operation scope check (declared in the route's `middleware`), answered 403. */
export function requireScope(scope: Scope) {
  return createMiddleware<PartnerEnv>(async (c, next) => {
    const { scopes } = c.get("principal");
    if (!grants(scopes, scope)) {
      throw new Forbidden(`This operation needs the '${scope}' scope; the credential has: ${scopes.join(" ") || "none"}.`);
    }
    await next();
  });
}
