import { z } from "@hono/zod-openapi";
import { PAYMENT_METHODS } from "../../domain/payment-intent";
import { Timestamp } from "../../lib/openapi";

export const PaymentLinkIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const PaymentMethodSchema = z.enum(PAYMENT_METHODS).openapi({ description: "`sepa_credit`: SEPA transfer by open banking (Aiia); `card`." });

export const PaymentLinkCreate = z
  .strictObject({
    invoice_id: z.string().openapi({ example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    payment_methods: z.array(PaymentMethodSchema).min(1).max(2).openapi({ example: ["sepa_credit", "card"] }),
    amount: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "For a partial payment, in cents. Default: what remains payable (amount due minus other active links)." }),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the link stops working. Default: 30 days from now.", example: "2026-12-31T23:59:59Z" }),
    return_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: "Where the payer goes back to, with `?payment_intent=…&status=…`. https in live mode.", example: "https://votreapp.fr/payment/success" }),
  })
  .openapi("PaymentLinkCreate", {
    example: {
      invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payment_methods: ["sepa_credit", "card"],
      return_url: "https://votreapp.fr/payment/success",
      expires_at: "2099-03-31T23:59:59Z",
    },
  });

export const PaymentLinkSchema = z
  .object({
    id: z.string().openapi({ example: "pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment_link"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string(),
    payment_intent_id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    amount: z.number().int().openapi({ example: 42200 }),
    currency: z.string().openapi({ example: "EUR" }),
    payment_methods: z.array(PaymentMethodSchema),
    status: z.enum(["active", "completed", "expired", "revoked"]),
    payment_page_url: z.string().openapi({ description: "The hosted payment page; its token is the secret.", example: "https://pay.example.fr/p/Xb3…" }),
    qr_code_data: z.string().openapi({ description: "What to encode in a QR code (the page URL)." }),
    qr_code_svg_url: z.string().openapi({ description: "The QR code, as SVG." }),
    return_url: z.string().nullable(),
    expires_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("PaymentLink");
