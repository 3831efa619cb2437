import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { deleteWebhookSubscription } from "../../services/webhooks/delete-subscription";
import { WebhookSubscriptionDeleted, WebhookSubscriptionIdParam } from "./schema";

const route = createRoute({
  method: "delete",
  path: "/webhook_subscriptions/{id}",
  operationId: "deleteWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Delete a webhook subscription",
  description: "No event is sent to it any more; its pending deliveries end as failed. Its past deliveries stay visible under each event.",
  middleware: [requireScope("webhooks:write")] as const,
  request: { params: WebhookSubscriptionIdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(WebhookSubscriptionDeleted, "The subscription is deleted."), ...errorResponses(404, 409) },
});

export function registerDeleteWebhookSubscription(app: Router) {
  app.openapi(route, async (c) => c.json(await deleteWebhookSubscription({ ctx: serviceContext(c), id: c.req.valid("param").id }), 200));
}
