import { z } from "@hono/zod-openapi";
import { SUBSCRIPTION_DISABLED_REASONS, WEBHOOK_SUBSCRIPTION_STATUSES, WEBHOOK_TEST_OUTCOMES } from "../../domain/webhook-status";
import { Timestamp } from "../../lib/fields";

export const WebhookSubscriptionIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const WebhookSubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("webhook_subscription"),
    livemode: z.boolean(),
    url: z.string().openapi({ example: "https://votreapp.fr/webhooks/payment-api" }),
    events: z.array(z.string()).openapi({ example: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"] }),
    organization_ids: z.array(z.string()).nullable(),
    description: z.string().nullable().openapi({ example: "Production webhook" }),
    status: z.enum(WEBHOOK_SUBSCRIPTION_STATUSES),
    disabled_reason: z
      .enum(SUBSCRIPTION_DISABLED_REASONS)
      .nullable()
      .openapi({ description: "`failing_deliveries`: every attempt failed for 3 days in a row (the audit trail has the entry)." }),
    disabled_at: Timestamp.nullable(),
    failing_since: Timestamp.nullable().openapi({ description: "First failed attempt since the last success; null when healthy." }),
    previous_secret_expires_at: Timestamp.nullable().openapi({
      description: "After a rotation: until then the old secret also signs, in X-Webhook-Signature-Previous and as the second `v1,…` of webhook-signature.",
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("WebhookSubscription");

export const WebhookSubscriptionWithSecret = WebhookSubscriptionSchema.extend({
  secret: z.string().openapi({
    description:
      "The signing secret, shown only here: `whsec_` + base64 of 24 random bytes. X-Webhook-Signature is `sha256=` + hex HMAC-SHA256 of the raw body with the whole secret as UTF-8; webhook-signature (Standard Webhooks) is keyed with the base64-decoded part after `whsec_`, as the `standardwebhooks` and `svix` libraries expect.",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
}).openapi("WebhookSubscriptionWithSecret");

export const WebhookSubscriptionDeleted = z
  .object({ id: z.string(), object: z.literal("webhook_subscription"), deleted: z.literal(true) })
  .openapi("WebhookSubscriptionDeleted");

export const WebhookTestSchema = z
  .object({
    object: z.literal("webhook_test"),
    subscription_id: z.string().openapi({ example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    event_id: z.string().openapi({ description: "The ping's id: its `event_id`, `X-Webhook-Id` and `webhook-id`. Not an event of GET /v1/events.", example: "evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    event_type: z.literal("ping"),
    url: z.string().openapi({ example: "https://votreapp.fr/webhooks/payment-api" }),
    sent_at: Timestamp,
    status_code: z.number().int().nullable().openapi({ description: "The endpoint's HTTP status; null when no answer came (timeout, connection refused, URL refused).", example: 200 }),
    latency_ms: z.number().int().openapi({ example: 84 }),
    outcome: z.enum(WEBHOOK_TEST_OUTCOMES).openapi({ description: "`succeeded` for a 2xx answer, else `failed`." }),
    error: z.string().nullable().openapi({ description: "Why it failed without an answer (timeout, network error, URL refused), or a redirect not followed." }),
    response_excerpt: z.string().nullable().openapi({ description: "The first 500 characters of the endpoint's response body.", example: "ok" }),
  })
  .openapi("WebhookTest");

export const WebhookRecoverySchema = z
  .object({
    object: z.literal("webhook_recovery"),
    subscription_id: z.string().openapi({ example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    since: Timestamp,
    queued_count: z.number().int().openapi({ description: "Failed deliveries restarted (5 fresh attempts each, the first now).", example: 2 }),
    delivery_ids: z.array(z.string()).openapi({ example: ["whd-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"] }),
    event_ids: z.array(z.string()).openapi({ description: "The events of those deliveries, in the same order.", example: ["evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"] }),
    has_more: z.boolean().openapi({ description: "At most 1000 deliveries are restarted per call (oldest first): true when there may be more; call again." }),
  })
  .openapi("WebhookRecovery");
