import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { createWebhookSubscription, CreateWebhookSubscriptionInput } from "../../services/webhooks/create-subscription";
import { WebhookSubscriptionWithSecret } from "./schema";

const route = createRoute({
  method: "post",
  path: "/webhook_subscriptions",
  operationId: "createWebhookSubscription",
  tags: ["Webhooks"],
  summary: "Subscribe an endpoint to events",
  description:
    "Seed 001 \"Gestion des webhooks\". Partner-level (no X-Entity-Id); `organization_ids` limits it to some organizations. The response carries the signing `secret` (`whsec_…`), shown only this once. " +
    "Each event is POSTed as `{event_id, event_type, timestamp, organization_id, livemode, object_version, data}` with `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, `X-Webhook-Id` (the event id: de-duplicate on it) and `X-Webhook-Timestamp`. " +
    "**Standard Webhooks**: every attempt also carries `webhook-id` (the event id, the same on every attempt), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">` keyed with the base64-decoded part of the secret after `whsec_` (24 random bytes), so the `standardwebhooks` and `svix` libraries verify deliveries unchanged (with their 5-minute replay window); during a rotation's window both secrets' `v1,…` are listed, space-separated. " +
    "**Ordering**: deliveries are retried independently and may arrive out of order. Every object in `data` has an integer `version`, +1 on each change, and `object_version` is it: keep, per object id, the highest `object_version` seen and ignore an event with a lower one (an equal one, e.g. `invoice.sent`, tells of something done without changing the object). " +
    "5xx, 408, 429, redirects, timeouts (10 s) and network errors are retried: 5 attempts in all — live mode at once, then about +30 s, +2 min, +10 min, +1 h; **test mode on an accelerated schedule, at once, then +2 s, +5 s, +10 s, +20 s** (±10 % jitter), so a CI sees a delivery fail and recover within a minute; other 4xx are final. " +
    "`POST /v1/webhook_subscriptions/{id}/test` sends a signed `ping` now; `POST /v1/webhook_subscriptions/{id}/recover` redelivers every failed delivery since a time. " +
    "400 `invalid_url`, `url_not_https`, `url_private_address`, `url_port_not_allowed` (live mode: a port other than 443), `url_platform_host` (this platform's own host) name `url`; an unknown event type names `events.N`. " +
    "Events carry a copy of their object, so subscribing to them also needs that object's read scope (`invoices:read` for invoice.*, `payments:read` for payment_link.* and payment_intent.*, `refunds:read` for refund.*, `organizations:read` for bank_account.*; `*` needs them all): 403 `insufficient_scope` naming it otherwise.",
  middleware: [requireScope("webhooks:write")] as const,
  request: { headers: IdempotencyHeader, body: jsonBody(CreateWebhookSubscriptionInput) },
  responses: { 201: jsonResponse(WebhookSubscriptionWithSecret, "The subscription, with its secret."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreateWebhookSubscription(app: Router) {
  app.openapi(route, async (c) => c.json(await createWebhookSubscription({ ctx: serviceContext(c), input: c.req.valid("json") }), 201));
}
