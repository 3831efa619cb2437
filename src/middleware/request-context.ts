import { createMiddleware } from "hono/factory";
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { uuidv7 } from "../lib/ids";
import { StorageTimer, timedD1 } from "../lib/timing";

/** What requestContext sets, on every request (pages, docs and health included). */
export type RequestContextVariables = { requestId: string; timer: StorageTimer; db: Db };

/**
 * A client's id is kept only if it is this sane, since it is echoed and written to the audit trail.
 * Not hono/request-id: its own filter (`[\w=-]`, up to 255) runs before any generator and keeps ids
 * this refuses ("r-1234", "a=b"), and it stamps the header before the handler runs, which a
 * response built as a plain Response (an idempotent replay) would not carry.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First on every request: the request id (the client's own if sane), a storage timer, and a
 * drizzle client whose round trips the timer sees. Stamps X-Request-Id and Server-Timing on
 * the way out, whatever the outcome.
 */
export const requestContext = createMiddleware<{ Bindings: Env; Variables: RequestContextVariables }>(async (c, next) => {
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
