import { z } from "@hono/zod-openapi";
import { QUOTE_STATUSES } from "../../domain/quote-status";
import { Timestamp } from "../../lib/fields";
import { PayerSchema } from "../../services/invoices/payer";
import { LineItemSchema, TaxBreakdown } from "../invoices/schema";

export const QuoteIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "quo-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const QuoteSchema = z
  .object({
    id: z.string().openapi({ example: "quo-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("quote"),
    livemode: z.boolean(),
    organization_id: z.string(),
    department_id: z.string(),
    status: z.enum(QUOTE_STATUSES).openapi({
      description: "draft → sent (numbered) → accepted (a draft invoice is made), declined, or expired (the sweep, after `valid_until`).",
    }),
    quote_number: z.string().nullable().openapi({ description: "Given when sent, from the organization's own gap-free series (null while draft).", example: "DEV-2026-00001" }),
    currency: z.string().openapi({ example: "EUR" }),
    payer: PayerSchema,
    line_items: z.array(LineItemSchema),
    subtotal_amount: z.number().int().openapi({ description: "Total excluding VAT (HT), computed as an invoice's.", example: 97000 }),
    tax_amount: z.number().int().openapi({ example: 19400 }),
    total_amount: z.number().int().openapi({ description: "Total including VAT (TTC).", example: 116400 }),
    tax_breakdown: z
      .array(TaxBreakdown)
      .openapi({ description: "VAT per rate, computed on the sum of that rate's line nets." }),
    valid_until: z.string().nullable().openapi({ description: "Last day (Europe/Paris) it can be accepted; set to 30 days after sending when the draft has none.", example: "2026-12-31" }),
    payment_terms: z.string().nullable(),
    vat_exemption_reason: z.string().nullable(),
    mentions: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "Frozen when sent: the seller as printed, the issue date, the validity, the terms (null while draft)." }),
    invoice_id: z.string().nullable().openapi({ description: "The draft invoice made when the quote was accepted.", example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    decline_reason: z.string().nullable(),
    pdf_url: z.string().openapi({ description: "Its PDF on this API (same credentials and X-Entity-Id), rendered on each call.", example: "/v1/quotes/quo-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/pdf" }),
    metadata: z.record(z.string(), z.string()),
    sent_at: Timestamp.nullable(),
    accepted_at: Timestamp.nullable(),
    declined_at: Timestamp.nullable(),
    expired_at: Timestamp.nullable(),
    version: z.number().int().openapi({ description: "Increases with every change." }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Quote");
