import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { getRequestLog } from "../../services/request-logs/query-request-logs";
import { serviceContext } from "../context";
import { RequestIdParam, RequestLogSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/request_logs/{request_id}",
  operationId: "getRequestLog",
  tags: ["Audit"],
  summary: "Find an API call by its request id",
  description:
    "The call whose response carried this `X-Request-Id` (the latest, if you sent the same id more than once). 404 until the call is recorded (within seconds) and for a call of another partner or mode.",
  middleware: [requireScope("audit:read")] as const,
  request: { params: RequestIdParam },
  responses: { 200: jsonResponse(RequestLogSchema, "The call."), ...errorResponses(404) },
});

export function registerGetRequestLog(app: Router) {
  app.openapi(route, async (c) => c.json(await getRequestLog({ ctx: serviceContext(c), requestId: c.req.valid("param").request_id }), 200));
}
