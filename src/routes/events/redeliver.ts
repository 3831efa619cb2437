import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { redeliverEvent, RedeliverEventInput } from "../../services/events/redeliver-event";
import { EventIdParam, RedeliverySchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/events/{id}/redeliver",
  operationId: "redeliverEvent",
  tags: ["Events"],
  summary: "Send an event again",
  description:
    "Without a body: to every active subscription that receives the event and has not got it yet (failed deliveries are repaired, pending ones tried now), each with 5 fresh attempts. " +
    "With `subscription_id`: to that subscription, even if it already got it. 409 `nothing_to_redeliver` when no delivery is left to repair; 409 `subscription_disabled`; 409 `event_data_expired` once the payload has been purged (90 days); 422 `event_not_subscribed`.",
  middleware: [requireScope("webhooks:write")] as const,
  request: {
    params: EventIdParam,
    headers: IdempotencyHeader,
    body: { required: false, content: { "application/json": { schema: RedeliverEventInput } } },
  },
  responses: { 200: jsonResponse(RedeliverySchema, "The deliveries restarted."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerRedeliverEvent(app: Router) {
  app.openapi(route, async (c) => c.json(await redeliverEvent({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200));
}
