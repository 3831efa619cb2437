import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { recoverWebhookSubscription, RecoverWebhookSubscriptionInput } from "../../services/webhooks/recover-subscription";
import { WebhookRecoverySchema, WebhookSubscriptionIdParam } from "./schema";

const route = createRoute({
  method: "post",
  path: "/webhook_subscriptions/{id}/recover",
  operationId: "recoverWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Redeliver every failed delivery since a time (after an outage)",
  description:
    "Every delivery of this subscription that ended `failed` and was created at or after `since` starts again: a fresh run of 5 attempts, the first now (as POST /v1/events/{id}/redeliver does for one event). " +
    "Answers what was queued (`queued_count`, `delivery_ids`, `event_ids`); at most 1000 per call, oldest first (`has_more`). Deliveries that succeeded or are still pending are left alone. " +
    "`since` is required, an ISO 8601 date-time, not in the future and not more than 90 days ago (event payloads are purged after 90 days: nothing left to send): else 400 naming `since` " +
    "(`invalid_parameter`, `since_in_future`, `since_out_of_retention`). 409 `subscription_disabled`: set its status to active first. Audited (`recovered`).",
  middleware: [requireScope("webhooks:write")] as const,
  request: { params: WebhookSubscriptionIdParam, headers: IdempotencyHeader, body: jsonBody(RecoverWebhookSubscriptionInput) },
  responses: { 200: jsonResponse(WebhookRecoverySchema, "The deliveries queued again."), ...errorResponses(404, 409, 413, 415) },
});

export function registerRecoverWebhookSubscription(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await recoverWebhookSubscription({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
