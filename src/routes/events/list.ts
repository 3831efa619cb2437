import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listEvents, ListEventsInput } from "../../services/events/query";
import { EventSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tags: ["Events"],
  summary: "List events, newest first",
  description:
    "Every event of the partner in this mode, for all its organizations (no X-Entity-Id). `delivery_status=failed` finds what your endpoints missed; redeliver it with POST /v1/events/{id}/redeliver. " +
    "Scope `webhooks:read` lists events and their delivery status; a payload is a copy of the object the event carries, so it is shown only with that object's read scope (`data_scope`: `invoices:read`, `payments:read`, `refunds:read` or `organizations:read`). Without it the event is listed with `data: null` and `data_redacted: true`.",
  middleware: [requireScope("webhooks:read")] as const,
  request: { query: ListEventsInput },
  responses: { 200: jsonResponse(paginated(EventSchema, "EventList"), "A page of events."), ...errorResponses() },
});

export function registerListEvents(app: Router) {
  app.openapi(route, async (c) => c.json(await listEvents({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
