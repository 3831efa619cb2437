import { createRoute, z } from "@hono/zod-openapi";
import { instantRange } from "../../domain/dates";
import { DateBound, errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../../services/context";
import { listEvents } from "../../services/events/query";
import { DeliveryStatusSchema, EventSchema, EventTypeSchema } from "./schema";

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
  request: {
    query: PaginationQuery.extend({
      type: EventTypeSchema.optional(),
      organization_id: z.string().max(100).optional().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
      created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
      created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
      delivery_status: DeliveryStatusSchema.optional(),
    }),
  },
  responses: { 200: jsonResponse(paginated(EventSchema, "EventList"), "A page of events."), ...errorResponses() },
});

export function registerListEvents(app: Router) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const created = instantRange(q.created_from, q.created_to);
    return c.json(
      await listEvents({
        ctx: serviceContext(c),
        input: {
          ...pageParams(q),
          type: q.type,
          organization_id: q.organization_id,
          created_from: created.from,
          created_to: created.toExclusive,
          delivery_status: q.delivery_status,
        },
      }),
      200,
    );
  });
}
