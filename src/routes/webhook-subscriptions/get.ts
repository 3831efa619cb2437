import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { getWebhookSubscription } from "../../services/webhooks/query";
import { WebhookSubscriptionIdParam, WebhookSubscriptionSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/webhook_subscriptions/{id}",
  operationId: "getWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Retrieve a webhook subscription",
  description: "The secret is not shown again; rotate it if it was lost.",
  middleware: [requireScope("webhooks:read")] as const,
  request: { params: WebhookSubscriptionIdParam },
  responses: { 200: jsonResponse(WebhookSubscriptionSchema, "The subscription."), ...errorResponses(404) },
});

export function registerGetWebhookSubscription(app: Router) {
  app.openapi(route, async (c) => c.json(await getWebhookSubscription({ ctx: serviceContext(c), id: c.req.valid("param").id }), 200));
}
