import { z } from "@hono/zod-openapi";
import { SCOPES } from "../../domain/scopes";
import { DELIVERY_ATTEMPT_OUTCOMES, WEBHOOK_DELIVERY_STATUSES } from "../../domain/webhook-status";
import { Timestamp } from "../../lib/fields";
import { DeliveryStatusSchema } from "../../services/events/query";

export const EventIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const EventSchema = z
  .object({
    id: z.string().openapi({ description: "Also the `event_id` of the webhook body and its X-Webhook-Id header.", example: "evt-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("event"),
    livemode: z.boolean(),
    type: z.string().openapi({ example: "payment_intent.status_changed" }),
    organization_id: z.string().nullable().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object_version: z.number().int().nullable().openapi({
      description:
        "The version of the object in `data` (every object has an integer `version`, +1 on each change): deliveries may arrive out of order, so keep the highest per object and drop an update older than one you already have. Null only for an event stored before its object had a version, or when the payload is withheld or purged.",
      example: 3,
    }),
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description:
          "The payload, as the webhook carried it. Null once it has expired (`data_expired`): payloads, and the personal data in them, are kept 90 days, then purged; the event itself, its ids, times and deliveries stay. Null too when `data_redacted`.",
        example: { payment_intent_id: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", previous_status: "created", current_status: "pending", payment_intent: { version: 2 } },
      }),
    data_expired: z.boolean().openapi({ description: "True once the payload has been purged (`data` is then null); such an event can no longer be redelivered.", example: false }),
    data_expires_at: Timestamp.openapi({ description: "When the payload becomes due for purging: 90 days after `created_at`.", example: "2026-04-30T09:12:00.000Z" }),
    data_scope: z.enum(SCOPES).openapi({
      description:
        "The scope that reads this event's payload: that of the object it carries (`invoices:read` for invoice.*, `payments:read` for payment_link.* and payment_intent.*, `refunds:read` for refund.*, `organizations:read` for bank_account.*; a `:write` scope implies its `:read`).",
      example: "payments:read",
    }),
    data_redacted: z.boolean().openapi({
      description: "True when the credential lacks `data_scope`: `data` and `object_version` are then null (GET of the event answers 403).",
      example: false,
    }),
    created_at: Timestamp,
    delivery_status: DeliveryStatusSchema,
  })
  .openapi("Event");

export const WebhookAttemptSchema = z
  .object({
    run: z.number().int().openapi({ description: "1 for the original delivery, +1 per redelivery." }),
    attempt: z.number().int().openapi({ description: "1 to 5 within its run.", example: 1 }),
    at: Timestamp,
    url: z.string(),
    status_code: z.number().int().nullable().openapi({ description: "Null when no HTTP answer came (timeout, network error, refused URL).", example: 500 }),
    latency_ms: z.number().int().openapi({ example: 143 }),
    outcome: z.enum(DELIVERY_ATTEMPT_OUTCOMES),
    error: z.string().nullable().openapi({ example: "timeout: no response within 10 s" }),
    response_excerpt: z.string().nullable().openapi({ description: "The first 500 characters of the response body.", example: "Internal Server Error" }),
  })
  .openapi("WebhookAttempt");

export const WebhookDeliverySchema = z
  .object({
    id: z.string().openapi({ example: "whd-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("webhook_delivery"),
    livemode: z.boolean(),
    event_id: z.string(),
    subscription_id: z.string(),
    url: z.string().openapi({ description: "The subscription's URL now." }),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    run: z.number().int(),
    attempt_count: z.number().int().openapi({ description: "Attempts made in the current run (at most 5)." }),
    next_attempt_at: Timestamp.nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    completed_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    attempts: z.array(WebhookAttemptSchema).openapi({ description: "Every attempt, oldest first." }),
  })
  .openapi("WebhookDelivery");

export const RedeliverySchema = z
  .object({
    object: z.literal("redelivery"),
    event_id: z.string(),
    deliveries: z.array(WebhookDeliverySchema).openapi({ description: "The deliveries restarted, each in a new run." }),
  })
  .openapi("Redelivery");
