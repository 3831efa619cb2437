import { z } from "@hono/zod-openapi";
import { PAYMENT_LINK_STATUSES, PAYMENT_LINK_TYPES, PAYMENT_PAGE_STYLES } from "../../domain/payment-link";
import { Timestamp } from "../../lib/fields";
import { PaymentMethodSchema } from "../../services/payment-links/create-payment-link";

export const PaymentLinkIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const PaymentLinkSchema = z
  .object({
    id: z.string().openapi({ example: "pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment_link"),
    livemode: z.boolean(),
    version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
    organization_id: z.string(),
    invoice_id: z.string().nullable().openapi({ description: "Null for a payment request without an invoice." }),
    payment_intent_id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    department_id: z.string().nullable().openapi({ description: "The department paid: the invoice's, or the one a request names (null for a test-mode request without one)." }),
    type: z.enum(PAYMENT_LINK_TYPES).openapi({ description: "`standard`, or `preauth` for a card hold captured later." }),
    page: z.enum(PAYMENT_PAGE_STYLES).openapi({ description: "The hosted page's layout: `standard` or `short`." }),
    description: z.string().nullable().openapi({ description: "What a payment request is for; null for an invoice's link.", example: "Caution location salle des fêtes, 14 juin" }),
    payer: z
      .object({
        name: z.string().openapi({ example: "Jean Dupont" }),
        email: z.string().nullable().openapi({ example: "jean.dupont@example.com" }),
        phone: z.string().nullable().openapi({ description: "E.164.", example: "+33612345678" }),
      })
      .nullable()
      .openapi("PaymentLinkPayer", { description: "A payment request's payer (stored encrypted); null for an invoice's link (its invoice has the payer)." }),
    amount: z.number().int().openapi({ example: 42200 }),
    currency: z.string().openapi({ description: "`EUR`, `USD` or `GBP` (a request's own; an invoice's link: its invoice's).", example: "EUR" }),
    payment_methods: z.array(PaymentMethodSchema),
    status: z.enum(PAYMENT_LINK_STATUSES),
    payment_page_url: z.string().openapi({ description: "The hosted payment page; its token is the secret.", example: "https://pay.example.fr/p/Xb3…" }),
    qr_code_data: z.string().openapi({ description: "What to encode in a QR code (the page URL)." }),
    qr_code_svg_url: z.string().openapi({ description: "The QR code, as SVG." }),
    return_url: z.string().nullable(),
    expires_at: Timestamp.nullable(),
    completed_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    sent_at: Timestamp.nullable().openapi({ description: "When the link was first sent to the payer (`POST /v1/payment_links/{id}/send`, `/remind`, or with its invoice)." }),
    reminder_count: z.number().int().openapi({ description: "Reminders sent (`POST /v1/payment_links/{id}/remind`).", example: 0 }),
    last_reminded_at: Timestamp.nullable().openapi({ description: "When the last reminder was sent." }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("PaymentLink");
