import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { uuidv7 } from "../lib/ids";
import { StorageTimer, timedD1 } from "../lib/timing";

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First on every request: the request id (the client's own if sane), a storage timer, and a
 * drizzle client whose round trips the timer sees. Stamps X-Request-Id and Server-Timing on
 * the way out, whatever the outcome.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const requestId = given && CLIENT_REQUEST_ID.test(given) ? given : `req_${uuidv7().replaceAll("-", "")}`;
  const timer = new StorageTimer();
  c.set("requestId", requestId);
  c.set("timer", timer);
  c.set("db", createDb(timedD1(c.env.DB, timer)));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  c.res.headers.set("Server-Timing", timer.header());
});
