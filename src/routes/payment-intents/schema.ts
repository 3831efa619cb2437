import { z } from "@hono/zod-openapi";
import { AIIA_STATUSES, CANCELLATION_REASONS, CAPTURE_METHODS, INTENT_STATUSES } from "../../domain/payment-intent";
import { Timestamp } from "../../lib/openapi";
import { PaymentMethodSchema } from "../../services/payment-links/create-payment-link";

export const PaymentIntentSchema = z
  .object({
    id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment_intent"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string().nullable().openapi({ description: "Null for a payment request without an invoice." }),
    payment_link_id: z.string(),
    amount: z.number().int().openapi({ example: 42200 }),
    currency: z.string().openapi({ example: "EUR" }),
    status: z.enum(INTENT_STATUSES).openapi({ description: "`requires_capture`: a hold (`capture_method: manual`) whose card is authorized, waiting for capture or release." }),
    capture_method: z.enum(CAPTURE_METHODS).openapi({ description: "`automatic`, or `manual` for a hold (a `preauth` link): captured with `POST /v1/payment_intents/{id}/capture`." }),
    amount_authorized: z.number().int().nullable().openapi({ description: "A hold: the amount the card is authorized for, in cents (null until authorized).", example: 15000 }),
    capture_before: Timestamp.nullable().openapi({ description: "A hold: when it is released unless captured (authorization + 6 days 12 hours)." }),
    cancellation_reason: z
      .enum(CANCELLATION_REASONS)
      .nullable()
      .openapi({ description: "Why a canceled intent was: `link_revoked`, `link_expired`, `requested` (cancelled or hold released by the partner) or `hold_expired`." }),
    selected_payment_method: PaymentMethodSchema.nullable(),
    aiia_status: z.enum(AIIA_STATUSES).nullable().openapi({ description: "The transfer at Aiia (open banking)." }),
    aiia_transaction_id: z.string().nullable().openapi({ example: "aiia-tx-789" }),
    provider_status: z.string().nullable().openapi({ description: "The provider's raw status." }),
    amount_received: z.number().int(),
    refunded_amount: z.number().int(),
    failure_code: z.string().nullable().openapi({ example: "insufficient_funds" }),
    failure_message: z.string().nullable(),
    completed_at: Timestamp.nullable(),
    version: z.number().int().openapi({ description: "Increases with every change of the intent." }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("PaymentIntent");

export const PaymentIntentIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});
