import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../../services/context";
import { listWebhookSubscriptions } from "../../services/webhooks/query";
import { WebhookSubscriptionSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/webhook_subscriptions",
  operationId: "listWebhookSubscriptions",
  tags: ["Webhooks"],
  summary: "List webhook subscriptions, newest first",
  middleware: [requireScope("webhooks:read")] as const,
  request: { query: PaginationQuery.extend({ status: z.enum(["active", "disabled"]).optional() }) },
  responses: { 200: jsonResponse(paginated(WebhookSubscriptionSchema, "WebhookSubscriptionList"), "A page of subscriptions."), ...errorResponses() },
});

export function registerListWebhookSubscriptions(app: Router) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    return c.json(await listWebhookSubscriptions({ ctx: serviceContext(c), input: { ...pageParams(q), status: q.status } }), 200);
  });
}
