import { z } from "@hono/zod-openapi";
import { SUBSCRIPTION_DISABLED_REASONS, WEBHOOK_SUBSCRIPTION_STATUSES } from "../../domain/webhook-status";
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
      description: "After a rotation: until then the old secret also signs, in X-Webhook-Signature-Previous.",
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("WebhookSubscription");

export const WebhookSubscriptionWithSecret = WebhookSubscriptionSchema.extend({
  secret: z.string().openapi({
    description: "The signing secret, shown only here: X-Webhook-Signature is `sha256=` + hex HMAC-SHA256 of the raw body with it.",
    example: "whsec_K8W5m3n2k4J9p7Q1r6T8v5Y2z4",
  }),
}).openapi("WebhookSubscriptionWithSecret");

export const WebhookSubscriptionDeleted = z
  .object({ id: z.string(), object: z.literal("webhook_subscription"), deleted: z.literal(true) })
  .openapi("WebhookSubscriptionDeleted");
