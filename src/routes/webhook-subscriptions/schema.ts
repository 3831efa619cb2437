import { z } from "@hono/zod-openapi";
import { ALL_EVENTS, EVENT_TYPES } from "../../domain/events";
import { Timestamp } from "../../lib/openapi";
import { Text } from "../../lib/text";

export const WebhookSubscriptionIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

const EventTypeOrAll = z.enum([...EVENT_TYPES, ALL_EVENTS]).openapi({
  description: "An event type, or `*` alone for every type (including types added later).",
  example: "payment_intent.status_changed",
});

const Events = z
  .array(EventTypeOrAll)
  .min(1, 'must name at least one event type (or "*" for all)')
  .max(EVENT_TYPES.length + 1)
  .refine((events) => !events.includes(ALL_EVENTS) || events.length === 1, '"*" (every event type) cannot be combined with other types')
  .openapi({ example: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"] });

const Url = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .openapi({
    description:
      "Where events are POSTed, checked again before every attempt. Live mode: https:// on the default port 443, to a public host only (no private, loopback or link-local address). Test mode: https:// to a public host on any port; a worker running in local development (`wrangler dev`) also accepts http://localhost and http://127.0.0.1, a deployed one never. Never this platform's own host.",
    example: "https://votreapp.fr/webhooks/payment-api",
  });

const OrganizationIds = z
  .array(z.string().max(100))
  .min(1)
  .max(100)
  .nullable()
  .openapi({
    description: "Only events of these organizations (`org-…`); null or absent: every organization of the partner.",
    example: ["org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"],
  });

const Description = Text({ max: 500 }).nullable().openapi({ example: "Production webhook" });

export const WebhookSubscriptionCreate = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.optional(),
    organization_ids: OrganizationIds.optional(),
  })
  .openapi("WebhookSubscriptionCreate", {
    example: {
      url: "https://votreapp.fr/webhooks/payment-api",
      events: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"],
      description: "Production webhook",
    },
  });

export const WebhookSubscriptionUpdate = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    organization_ids: OrganizationIds.optional(),
    status: z
      .enum(["active", "disabled"])
      .optional()
      .openapi({ description: "`disabled` stops new deliveries; `active` resumes them (and forgets past failures)." }),
  })
  .openapi("WebhookSubscriptionUpdate", {
    example: { events: ["*"], description: "Every event, for the accounting system" },
  });

export const RotateSecretBody = z
  .strictObject({
    previous_secret_expires_in: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .openapi({ description: "Seconds the old secret keeps signing X-Webhook-Signature-Previous (default 86400, i.e. 24 h; 0 after a leak).", example: 86400 }),
  })
  .openapi("RotateWebhookSecret", { example: { previous_secret_expires_in: 86400 } });

export const WebhookSubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("webhook_subscription"),
    livemode: z.boolean(),
    url: z.string().openapi({ example: "https://votreapp.fr/webhooks/payment-api" }),
    events: z.array(z.string()).openapi({ example: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"] }),
    organization_ids: z.array(z.string()).nullable(),
    description: z.string().nullable().openapi({ example: "Production webhook" }),
    status: z.enum(["active", "disabled"]),
    disabled_reason: z
      .enum(["requested", "failing_deliveries"])
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
