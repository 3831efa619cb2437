import { createMiddleware } from "hono/factory";
import { NotFound, ValidationError } from "../lib/errors";
import { isId } from "../lib/ids";
import { ANY_ORGANIZATION, type OrganizationScope } from "../db/tenancy";

/**
 * What requireEntity sets. A route that declares requireEntity in its `middleware` sees
 * `c.get("entityId")` as a string (@hono/zod-openapi merges the route middleware's env into the
 * handler's); elsewhere it does not exist, so no handler can read it where nothing set it.
 */
export type EntityVariables = { entityId: string };
export type EntityEnv = { Variables: EntityVariables };

/**
 * Organization-scoped operations name their organization with `X-Entity-Id`. Here it is only
 * read and shaped; whether it is the caller's (same partner, same mode) is checked inside the
 * operation's own query, so the check costs no extra round trip. Unknown → 404, never 403.
 */
export const requireEntity = createMiddleware<EntityEnv>(async (c, next) => {
  const entityId = c.req.header("x-entity-id")?.trim();
  if (!entityId) {
    throw new ValidationError("This operation needs the X-Entity-Id header: the organization id (org-…).", "X-Entity-Id", "missing_entity_id");
  }
  if (!isId("organization", entityId)) throw new NotFound("organization", entityId, "X-Entity-Id");
  c.set("entityId", entityId);
  await next();
});

export type OptionalEntityEnv = { Variables: { optionalEntityId: string | null } };

/**
 * For the reports that answer for one organization or for all of the partner's: `X-Entity-Id`
 * when sent (shaped as requireEntity does, its ownership checked in the operation's query),
 * null when absent.
 */
export const optionalEntity = createMiddleware<OptionalEntityEnv>(async (c, next) => {
  const entityId = c.req.header("x-entity-id")?.trim() || null;
  if (entityId !== null && !isId("organization", entityId)) throw new NotFound("organization", entityId, "X-Entity-Id");
  c.set("optionalEntityId", entityId);
  await next();
});

/**
 * What entityFromHeaderOrObject sets: the organization named by `X-Entity-Id`, or ANY_ORGANIZATION
 * when the header is absent. Not a string, so a handler cannot write it into a row: a service takes
 * the organization of what it writes (events, audit entries, numbering) from the object's row.
 */
export type ObjectEntityEnv = { Variables: { entityScope: OrganizationScope } };

/**
 * Operations addressed by an object id (GET /v1/invoices/{id}, POST …/{id}/issue, …): the id already
 * names the organization (ids are unique), so `X-Entity-Id` is optional. When sent, it is shaped as
 * requireEntity does and the operation's own query also filters on it (another organization → 404,
 * never 403, as with the header required); when absent, the query filters by partner, mode and id.
 * Either way no extra round trip.
 */
export const entityFromHeaderOrObject = createMiddleware<ObjectEntityEnv>(async (c, next) => {
  const entityId = c.req.header("x-entity-id")?.trim() || null;
  if (entityId !== null && !isId("organization", entityId)) throw new NotFound("organization", entityId, "X-Entity-Id");
  c.set("entityScope", entityId ?? ANY_ORGANIZATION);
  // `entityId` (what the idempotency middleware keys a request by) stays unset: the path's object
  // id already pins the organization, so a key is the partner's and mode's whether or not the
  // header was sent — a retry that drops or adds the header replays instead of running again.
  await next();
});
