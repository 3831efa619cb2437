import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { testWebhookSubscription } from "../../services/webhooks/test-subscription";
import { WebhookSubscriptionIdParam, WebhookTestSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/webhook_subscriptions/{id}/test",
  operationId: "testWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Send a signed ping to the endpoint now",
  description:
    "Sends one `ping` event to this subscription's URL at once and answers the attempt: `status_code`, `latency_ms`, `outcome`, `error`, `response_excerpt`. " +
    "The body is the usual envelope (`event_type: \"ping\"`, `organization_id: null`, `object_version: 1`, `data.ping.webhook_subscription_id`), signed like every delivery: " +
    "`X-Webhook-Signature` (seed 001) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (both secrets during a rotation). " +
    "The ping is sent to this subscription only, never retried, and not stored as an event or a delivery (it is not in GET /v1/events, and does not count towards the subscription's health); the audit trail records it (`test_sent`). " +
    "A disabled subscription can be tested, to check its endpoint before re-enabling it. The body is ignored.",
  middleware: [requireScope("webhooks:write"), claimsUpfront] as const,
  request: { params: WebhookSubscriptionIdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(WebhookTestSchema, "The attempt: what the endpoint answered."), ...errorResponses(404) },
});

export function registerTestWebhookSubscription(app: Router) {
  app.openapi(route, async (c) => c.json(await testWebhookSubscription({ ctx: serviceContext(c), id: c.req.valid("param").id }), 200));
}
