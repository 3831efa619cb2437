import { z } from "@hono/zod-openapi";
import { REFUND_PENDING_REASONS, REFUND_STATUSES, REFUND_TYPES } from "../../domain/refund";
import { Timestamp } from "../../lib/openapi";

export const RefundSchema = z
  .object({
    id: z.string().openapi({ example: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("refund"),
    livemode: z.boolean(),
    payment_intent_id: z.string(),
    amount: z.number().int().openapi({ example: 10000 }),
    currency: z.string().openapi({ example: "EUR" }),
    status: z.enum(REFUND_STATUSES).openapi({ description: "A pending refund already counts against what remains refundable; a failed one releases its amount." }),
    reason: z.string().nullable().openapi({ example: "Remise commerciale de 100€" }),
    type: z.enum(REFUND_TYPES).openapi({
      description:
        "`price_reduction`: the price is lowered, a partial credit note is issued when the refund succeeds and the invoice is not owed the amount again; `repayment`: money returned, the price stands, the invoice is owed the amount again.",
      example: "price_reduction",
    }),
    credit_note_id: z
      .string()
      .nullable()
      .openapi({ description: "The credit note a price reduction issued once it succeeded (GET /v1/credit_notes/{id}); null otherwise.", example: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    failure_code: z.string().nullable().openapi({ description: "Why a failed refund failed (`refund_failed`); null otherwise." }),
    pending_reason: z
      .enum(REFUND_PENDING_REASONS)
      .nullable()
      .openapi({
        description:
          "Why a pending refund is not on its way, null otherwise (and once it settles). `provider_unavailable`: no payment provider can send money back in this mode (live mode has none registered yet); nothing moved, the refund stays `pending` (still counting against what remains refundable) and is never reported `succeeded` on its own.",
        example: null,
      }),
    version: z
      .number()
      .int()
      .openapi({
        description:
          "1 when created, +1 when it settles: events about the refund carry it as `object_version` (keep the highest you have seen; deliveries may arrive out of order).",
        example: 1,
      }),
    created_at: Timestamp,
    completed_at: Timestamp.nullable(),
  })
  .openapi("Refund");

export const RefundIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) });
