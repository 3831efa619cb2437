import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { getEvent } from "../../services/events/query";
import { EventIdParam, EventSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/events/{id}",
  operationId: "getEvent",
  tags: ["Events"],
  summary: "Retrieve an event",
  description:
    "Needs `webhooks:read` and the read scope of the object the event carries (its payload is a copy of it): `invoices:read` for invoice.*, `payments:read` for payment_link.* and payment_intent.*, `refunds:read` for refund.*, `organizations:read` for bank_account.*. Without it: 403 `insufficient_scope` naming the scope.",
  middleware: [requireScope("webhooks:read")] as const,
  request: { params: EventIdParam },
  responses: { 200: jsonResponse(EventSchema, "The event."), ...errorResponses(404) },
});

export function registerGetEvent(app: Router) {
  app.openapi(route, async (c) => c.json(await getEvent({ ctx: serviceContext(c), id: c.req.valid("param").id }), 200));
}
