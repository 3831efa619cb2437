import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listEventDeliveries, ListEventDeliveriesInput } from "../../services/events/query";
import { EventIdParam, WebhookDeliverySchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/events/{id}/deliveries",
  operationId: "listEventDeliveries",
  tags: ["Events"],
  summary: "The deliveries of an event, with every attempt",
  description: "One delivery per subscription that receives the event; each attempt with its time, HTTP status, latency, error and the start of the response body.",
  middleware: [requireScope("webhooks:read")] as const,
  request: { params: EventIdParam, query: ListEventDeliveriesInput },
  responses: { 200: jsonResponse(paginated(WebhookDeliverySchema, "WebhookDeliveryList"), "A page of deliveries."), ...errorResponses(404) },
});

export function registerListEventDeliveries(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listEventDeliveries({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("query") }), 200),
  );
}
