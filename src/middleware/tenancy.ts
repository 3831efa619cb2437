import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { NotFound, ValidationError } from "../lib/errors";
import { isId } from "../lib/ids";

/**
 * Organization-scoped operations name their organization with `X-Entity-Id`. Here it is only
 * read and shaped; whether it is the caller's (same partner, same mode) is checked inside the
 * operation's own query, so the check costs no extra round trip. Unknown → 404, never 403.
 */
export const requireEntity = createMiddleware<AppEnv>(async (c, next) => {
  const entityId = c.req.header("x-entity-id")?.trim();
  if (!entityId) {
    throw new ValidationError("This operation needs the X-Entity-Id header: the organization id (org-…).", "X-Entity-Id", "missing_entity_id");
  }
  if (!isId("organization", entityId)) throw new NotFound("organization", entityId, "X-Entity-Id");
  c.set("entityId", entityId);
  await next();
});
