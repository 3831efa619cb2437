import { z } from "@hono/zod-openapi";
import { PAYMENT_STATUSES } from "../../domain/payment";
import { Timestamp } from "../../lib/openapi";
import { PaymentMethodSchema } from "../../services/payment-links/create-payment-link";

export const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string(),
    payment_intent_id: z.string(),
    payment_link_id: z.string(),
    amount: z.number().int().openapi({ description: "Collected, in cents (may be less than the invoice: partial payment).", example: 42200 }),
    refunded_amount: z.number().int(),
    currency: z.string(),
    method: PaymentMethodSchema,
    status: z.enum(PAYMENT_STATUSES),
    paid_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Payment");
