import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { updateWebhookSubscription, UpdateWebhookSubscriptionInput } from "../../services/webhooks/update-subscription";
import { WebhookSubscriptionIdParam, WebhookSubscriptionSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/webhook_subscriptions/{id}",
  operationId: "updateWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Update a webhook subscription (URL, events, organizations, description, status)",
  description:
    "Only the fields sent change. `status: disabled` stops new deliveries; `status: active` re-enables a subscription (one disabled after 3 days of failures too) — then redeliver its failed events. A new `url` is checked like a new subscription's (400 `invalid_url`, `url_not_https`, `url_private_address`, `url_port_not_allowed`, `url_platform_host`). Changing `url` or `events` needs the read scope of every object the subscription's events carry, as on creation (403 `insufficient_scope` naming it).",
  middleware: [requireScope("webhooks:write")] as const,
  request: { params: WebhookSubscriptionIdParam, headers: IdempotencyHeader, body: jsonBody(UpdateWebhookSubscriptionInput) },
  responses: { 200: jsonResponse(WebhookSubscriptionSchema, "The updated subscription."), ...errorResponses(404, 409, 413, 415) },
});

export function registerUpdateWebhookSubscription(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updateWebhookSubscription({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
