import { createMiddleware } from "hono/factory";
import type { PartnerEnv } from "../env";
import { Forbidden } from "../lib/errors";

/**
 * Sandbox helpers act on test data only: a live credential is refused (403 `test_mode_only`)
 * before anything is looked up or claimed, so a live caller learns nothing about which ids exist.
 * Declared in the route's `middleware` after its scope check, as the scope refusal comes first.
 */
export const requireTestMode = createMiddleware<PartnerEnv>(async (c, next) => {
  if (c.get("principal").livemode) throw new Forbidden("Sandbox endpoints need test-mode credentials.", "test_mode_only");
  await next();
});
