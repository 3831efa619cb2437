import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { listRequestLogs, ListRequestLogsInput } from "../../services/request-logs/query-request-logs";
import { serviceContext } from "../context";
import { RequestLogSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/request_logs",
  operationId: "listRequestLogs",
  tags: ["Audit"],
  summary: "Your API calls, newest first",
  description:
    "Every call your credentials made in this mode (test or live), kept one year: method, route template, the path's ids, status, duration, credential, organization (X-Entity-Id), IP, user agent, idempotency key and whether it was replayed. Recorded off the request path: a call appears within seconds. Calls that failed authentication carry no partner and are visible to the operator only.",
  middleware: [requireScope("audit:read")] as const,
  request: { query: ListRequestLogsInput },
  responses: { 200: jsonResponse(paginated(RequestLogSchema, "RequestLogList"), "A page of API calls."), ...errorResponses() },
});

export function registerListRequestLogs(app: Router) {
  app.openapi(route, async (c) => c.json(await listRequestLogs({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
