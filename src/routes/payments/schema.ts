import { z } from "@hono/zod-openapi";
import { PAYMENT_STATUSES } from "../../domain/payment";
import { Timestamp } from "../../lib/openapi";
import { LedgerPaymentMethodSchema } from "../../services/payments/query";

export const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment"),
    livemode: z.boolean(),
    version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
    organization_id: z.string(),
    source: z.enum(["online", "offline"]).openapi({ description: "`online`: paid through a payment link; `offline`: recorded at the counter (POST /v1/invoices/{id}/payments)." }),
    invoice_id: z.string().nullable().openapi({ description: "The invoice paid; null for the payment of a payment request without an invoice." }),
    department_id: z
      .string()
      .nullable()
      .openapi({ description: "The department credited: the payment's own, else its invoice's; null for a payment request's payment without a department." }),
    payment_intent_id: z.string().nullable().openapi({ description: "The payment intent that collected it; null for an offline payment." }),
    payment_link_id: z.string().nullable().openapi({ description: "Its payment link; null for an offline payment." }),
    amount: z.number().int().openapi({ description: "In cents (may be less than the invoice: partial payment). A hold: the amount authorized while pending, the amount captured once completed.", example: 42200 }),
    refunded_amount: z.number().int(),
    currency: z.string(),
    method: LedgerPaymentMethodSchema,
    status: z.enum(PAYMENT_STATUSES).openapi({
      description:
        "`pending` (transfer initiated, not settled; hold not captured), `completed` (received), `failed`, `canceled` (hold released), `partially_refunded`, `refunded`; `voided`: an offline payment recorded by mistake (POST /v1/payments/{id}/void), not counted.",
    }),
    reference: z.string().nullable().openapi({ description: "Offline payments: the cheque number, the transfer's label…", example: "CHQ 0012345" }),
    note: z.string().nullable().openapi({ description: "Offline payments: free text from whoever recorded it." }),
    paid_at: Timestamp.openapi({ description: "When the money was received (for an offline payment, its `received_at`); for a pending or failed payment, when it was initiated." }),
    voided_at: Timestamp.nullable().openapi({ description: "When an offline payment was voided." }),
    void_reason: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Payment");
