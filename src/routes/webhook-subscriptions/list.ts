import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listWebhookSubscriptions, ListWebhookSubscriptionsInput } from "../../services/webhooks/query";
import { WebhookSubscriptionSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/webhook_subscriptions",
  operationId: "listWebhookSubscriptions",
  tags: ["Webhooks"],
  summary: "List webhook subscriptions, newest first",
  description: "The partner's endpoints (deleted ones hidden), with their status (`active`, `disabled` after repeated failures) and filters; secrets are never shown again after creation or rotation.",
  middleware: [requireScope("webhooks:read")] as const,
  request: { query: ListWebhookSubscriptionsInput },
  responses: { 200: jsonResponse(paginated(WebhookSubscriptionSchema, "WebhookSubscriptionList"), "A page of subscriptions."), ...errorResponses() },
});

export function registerListWebhookSubscriptions(app: Router) {
  app.openapi(route, async (c) => c.json(await listWebhookSubscriptions({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
