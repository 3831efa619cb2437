import { z } from "@hono/zod-openapi";
import { and, count, desc, eq, sql } from "drizzle-orm";
import { requestLogs, type RequestLogRow } from "../../db/logs-schema";
import { DateBound, PaginationQuery } from "../../lib/fields";
import { NotFound } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { pageOf, pagination, within } from "../pagination";
import { ANY_ORGANIZATION, scoped } from "../tenancy";
import { timedD1 } from "../../lib/timing";
import { createLogsDb } from "./write-request-logs";

/** The call log's database (LOGS), its round trips timed in Server-Timing like the system of record's. */
function logsOf(ctx: ServiceContext) {
  return createLogsDb(timedD1(ctx.env.LOGS, ctx.timer));
}

/** The methods the API serves: a filter on any other could only ever match nothing. */
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export function presentRequestLog(row: RequestLogRow) {
  return {
    id: row.id,
    object: "request_log" as const,
    request_id: row.request_id,
    livemode: row.livemode ?? false,
    organization_id: row.organization_id,
    credential_id: row.credential_id,
    method: row.method,
    path: row.route,
    path_ids: row.path_ids,
    status: row.status,
    duration_ms: row.duration_ms,
    ip_address: row.ip,
    user_agent: row.user_agent,
    idempotency_key: row.idempotency_key,
    idempotent_replayed: row.replayed,
    created_at: row.created_at,
  };
}

export const ListRequestLogsInput = PaginationQuery.extend({
  status: z.coerce.number().int().min(100).max(599).optional().openapi({ description: "The HTTP status answered.", example: 404 }),
  method: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(METHODS))
    .optional()
    .openapi({ type: "string", enum: [...METHODS], description: "The HTTP method (case-insensitive).", example: "POST" }),
  path: z
    .string()
    .min(1)
    .max(200)
    .regex(/^\/[\x21-\x7e]*$/, "must be a route template or its prefix, starting with /")
    .optional()
    .openapi({ description: "A route template as the reference spells it (`/v1/invoices/{id}`), or a prefix of one (`/v1/invoices`).", example: "/v1/invoices/{id}" }),
  request_id: z.string().min(1).max(128).optional().openapi({ description: "The X-Request-Id of the call.", example: "req_0193a4b2c7e87d1f9a6b2c3d4e5f6a7b" }),
  from: DateBound.optional().openapi({ description: "Inclusive; an instant, or a Paris date.", example: "2026-02-01T00:00:00Z" }),
  to: DateBound.optional().openapi({ description: "Inclusive; a Paris date covers the whole day.", example: "2026-02-29" }),
});

/**
 * The caller's calls in its own mode, newest first. Rows of unauthenticated calls (no partner)
 * never match a partner's filter. The log is in LOGS, not DB: its own round trip, page and total
 * in one batch.
 */
export async function listRequestLogs({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ListRequestLogsInput> }) {
  const db = logsOf(ctx);
  const where = and(
    scoped(ctx, requestLogs, ANY_ORGANIZATION),
    input.status !== undefined ? eq(requestLogs.status, input.status) : undefined,
    input.method ? eq(requestLogs.method, input.method) : undefined,
    // A prefix match that LIKE's wildcards (`_` in request_logs, `%`) cannot widen.
    input.path ? sql`substr(${requestLogs.route}, 1, ${input.path.length}) = ${input.path}` : undefined,
    input.request_id ? eq(requestLogs.request_id, input.request_id) : undefined,
    within(requestLogs.created_at, input.from, input.to),
  );
  const { page, pageSize, offset } = pageOf(input);
  const [rows, counted] = await db.batch([
    db.select().from(requestLogs).where(where).orderBy(desc(requestLogs.created_at), desc(requestLogs.id)).limit(pageSize).offset(offset),
    db.select({ n: count() }).from(requestLogs).where(where),
  ]);
  return { data: rows.map(presentRequestLog), pagination: pagination(page, pageSize, counted[0]?.n ?? 0) };
}

/**
 * One call by its request id. A client may send its own X-Request-Id and send it again: the
 * latest call that carried it is answered (the list's `request_id` filter shows them all).
 */
export async function getRequestLog({ ctx, requestId }: { ctx: ServiceContext; requestId: string }) {
  const db = logsOf(ctx);
  const [row] = await db
    .select()
    .from(requestLogs)
    .where(and(scoped(ctx, requestLogs, ANY_ORGANIZATION), eq(requestLogs.request_id, requestId)))
    .orderBy(desc(requestLogs.created_at), desc(requestLogs.id))
    .limit(1);
  if (!row) throw new NotFound("request log", requestId, "request_id");
  return presentRequestLog(row);
}
