import { createMiddleware } from "hono/factory";
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { ValidationError } from "../lib/errors";
import { uuidv7 } from "../lib/ids";
import { StorageTimer, timedD1, type D1Client } from "../lib/timing";

/** What requestContext sets, on every request (pages, docs and health included). */
export type RequestContextVariables = { requestId: string; timer: StorageTimer; db: Db };

/**
 * A client's id is kept only if it is this sane, since it is echoed and written to the audit trail.
 * Not hono/request-id: its own filter (`[\w=-]`, up to 255) runs before any generator and keeps ids
 * this refuses ("r-1234", "a=b"), and it stamps the header before the handler runs, which a
 * response built as a plain Response (an idempotent replay) would not carry.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The D1 session bookmark, answered by every API response and read back from the request (README "Consistency"). */
export const BOOKMARK_HEADER = "X-D1-Bookmark";

/**
 * The shape of a D1 bookmark, as D1 documents it (`00000001-00000002-00004e2f-0a83ea2fceebc654de0640c422be4653`)
 * and as local D1 mints it. Checked here because local D1 takes any string without a word (and
 * then echoes it back as the session's bookmark); a deployed D1 would refuse it at the first query.
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** Where bookmarks apply: the API. The payment page's browsers never send one, and it answers none. */
const API_PREFIX = "/v1/";

/** Methods that only read: their session may start on the nearest replica. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

function invalidBookmark(): ValidationError {
  return new ValidationError(
    `${BOOKMARK_HEADER} is not a bookmark this API answered: send back the ${BOOKMARK_HEADER} header of an earlier response as it was, or none.`,
    BOOKMARK_HEADER,
    "invalid_bookmark",
  );
}

/** The bookmark the request carries: undefined if none (or blank), null if it is not one. */
function sentBookmark(header: string | undefined): string | null | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  return BOOKMARK.test(value) ? value : null;
}

/**
 * First on every request: the request id (the client's own if sane), a storage timer, and a
 * drizzle client on a D1 session whose round trips the timer sees. Stamps X-Request-Id,
 * Server-Timing and, on the API, X-D1-Bookmark on the way out, whatever the outcome.
 *
 * The session (D1 read replication): reads and the payment page's GETs start
 * `first-unconstrained`, on the nearest replica; writes start `first-primary`; a request that sends
 * back a bookmark starts from it, so it reads at least what that earlier response had written.
 * Queues, crons and the objects' own work keep the plain binding or their own session.
 */
export const requestContext = createMiddleware<{ Bindings: Env; Variables: RequestContextVariables }>(async (c, next) => {
  const given = c.req.header("x-request-id");
  const requestId = given && CLIENT_REQUEST_ID.test(given) ? given : `req_${uuidv7().replaceAll("-", "")}`;
  const timer = new StorageTimer();
  c.set("requestId", requestId);
  c.set("timer", timer);
  const api = c.req.path.startsWith(API_PREFIX);
  const bookmark = api ? sentBookmark(c.req.header(BOOKMARK_HEADER)) : undefined;
  const constraint = READS.has(c.req.method) ? "first-unconstrained" : "first-primary";
  let session: (D1Client & { getBookmark(): string | null }) | null = null;
  if (bookmark !== null) {
    try {
      session = c.env.DB.withSession(bookmark ?? constraint);
    } catch {
      // A bookmark the runtime itself refuses: the same answer as a malformed one (refuseBadBookmark).
      session = null;
    }
  }
  // A bookmark D1 refuses at the first query (too old, from another database): the caller's 400, not our 500.
  const refine = bookmark ? (error: unknown) => (error instanceof Error && /bookmark/i.test(error.message) ? invalidBookmark() : error) : undefined;
  c.set("db", createDb(session ? timedD1(session, timer, refine) : refusing()));
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  c.res.headers.set("Server-Timing", timer.header());
  if (api) {
    // The later of this request's session and of what the objects it called wrote; else the one it sent.
    const answered = timer.latestBookmark(session?.getBookmark() ?? null) ?? bookmark ?? null;
    if (answered !== null) c.res.headers.set(BOOKMARK_HEADER, answered);
  }
});

/**
 * 400 `invalid_bookmark` naming X-D1-Bookmark for a malformed bookmark, before anything runs (a
 * Durable Object call must not happen for a request that then fails). Mounted after the request
 * log and the security headers, so the refusal is logged and carries them like any other answer.
 */
export const refuseBadBookmark = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  if (sentBookmark(c.req.header(BOOKMARK_HEADER)) === null) throw invalidBookmark();
  await next();
});

/** The D1 client of a request whose bookmark was refused: nothing may reach the database. */
function refusing(): D1Database {
  const refuse = () => {
    throw invalidBookmark();
  };
  return { prepare: refuse, batch: () => Promise.reject(invalidBookmark()) } as unknown as D1Database;
}
