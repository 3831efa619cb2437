import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { isId, uuidv7 } from "../lib/ids";
import { log } from "../lib/log";
import type { Principal } from "../lib/principal";
import type { RequestLogMessage } from "../services/request-logs/write-request-logs";

const USER_AGENT_MAX = 256;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The API call log (issue 15): every request under /v1, whatever its outcome (a 401 included),
 * is described once its response is built and handed to the `request-logs` queue inside
 * waitUntil, so the response never waits for the log and a failing queue never fails it (the
 * send's error is logged and swallowed). Mounted right after requestContext, so it sees the final
 * status of everything below it, the error responses included.
 */
export const requestLog: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  let record: RequestLogMessage;
  try {
    record = describe(c, started);
  } catch (error) {
    log.error("request log record could not be built", { request_id: c.get("requestId"), error });
    return;
  }
  const send = (async () => {
    try {
      await c.env.REQUEST_LOGS.send(record, { contentType: "json" });
    } catch (error) {
      log.error("request log could not be queued", { request_id: record.request_id, error });
    }
  })();
  try {
    c.executionCtx.waitUntil(send);
  } catch {
    // No execution context (app.request in a unit test): the send runs on its own.
  }
});

function describe(c: Context<AppEnv>, started: number): RequestLogMessage {
  // Set by authenticate when the caller was identified; absent on 401s and on admin and auth calls.
  const principal = (c.var as { principal?: Principal }).principal;
  const entity = c.req.header("x-entity-id")?.trim();
  const idempotencyKey = c.req.header("idempotency-key") ?? c.req.header("x-idempotency-key") ?? null;
  const userAgent = c.req.header("user-agent") ?? null;
  const { route, pathIds } = routeOf(c);
  return {
    id: `rlog-${uuidv7()}`,
    request_id: c.get("requestId"),
    partner_id: principal?.partnerId ?? null,
    livemode: principal ? principal.livemode : null,
    organization_id: entity && isId("organization", entity) ? entity : null,
    credential_id: principal?.credentialId ?? null,
    method: c.req.method,
    route,
    path_ids: pathIds,
    status: c.res.status,
    duration_ms: Math.max(0, Date.now() - started),
    ip: c.req.header("cf-connecting-ip") ?? null,
    user_agent: userAgent === null ? null : userAgent.slice(0, USER_AGENT_MAX),
    // The key is the caller's own retry token, not a secret; one that is not a valid key is not kept.
    idempotency_key: idempotencyKey !== null && IDEMPOTENCY_KEY.test(idempotencyKey) ? idempotencyKey : null,
    replayed: c.res.headers.get("idempotent-replayed") === "true",
    created_at: new Date(started).toISOString(),
  };
}

/**
 * The operation's route template as the OpenAPI document spells it (`/v1/invoices/{id}`) and the
 * values of its path parameters. The operation is the route whose handlers answered (route
 * middleware share their route's path), or else the first one matched: a request refused by the
 * partner middleware (401) still names the operation it was for. No route: `unmatched`, never the
 * raw path, which could carry anything a caller typed.
 */
function routeOf(c: Context<AppEnv>): { route: string; pathIds: Record<string, string> } {
  const routes = matchedRoutes(c);
  const current = routes[c.req.routeIndex];
  const chosen = current && current.method !== "ALL" ? current : routes.find((r) => r.method !== "ALL");
  if (!chosen) return { route: "unmatched", pathIds: {} };
  const template = templateOf(chosen.path);
  const pathIds: Record<string, string> = {};
  if (template.params.length > 0) {
    const pathSegments = c.req.path.split("/");
    for (const [i, name] of template.params) {
      const raw = pathSegments[i];
      if (raw === undefined) continue;
      try {
        pathIds[name] = decodeURIComponent(raw).slice(0, 128);
      } catch {
        pathIds[name] = raw.slice(0, 128);
      }
    }
  }
  return { route: template.route, pathIds };
}

/** A route's template (`/v1/invoices/{id}`) and where its parameters sit, parsed once per route and isolate. */
const templates = new Map<string, { route: string; params: [index: number, name: string][] }>();

function templateOf(path: string) {
  let template = templates.get(path);
  if (!template) {
    const params: [number, string][] = [];
    const route = path
      .split("/")
      .map((segment, i) => {
        const param = /^:([A-Za-z0-9_]+)/.exec(segment);
        if (!param) return segment;
        params.push([i, param[1]!]);
        return `{${param[1]}}`;
      })
      .join("/");
    template = { route, params };
    templates.set(path, template);
  }
  return template;
}
