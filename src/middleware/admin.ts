import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { safeEqual } from "../lib/crypto";
import { Unauthenticated } from "../lib/errors";

/** Operator endpoints: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization")?.trim() ?? "");
  const expected = c.env.ADMIN_API_KEY;
  if (!match || !expected || !(await safeEqual(match[1]!, expected))) {
    throw new Unauthenticated("Admin endpoints need 'Authorization: Bearer <ADMIN_API_KEY>'.", "invalid_admin_key");
  }
  await next();
});
