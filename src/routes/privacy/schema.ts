import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../lib/openapi";
import { PayerSchema } from "../../services/invoices/payer";
import { RequestPayerSchema } from "../../services/payment-links/request-payer";

const Common = { id: z.string(), organization_id: z.string() };

export const PrivacyExportSchema = z
  .object({
    object: z.literal("privacy_export"),
    livemode: z.boolean(),
    email: z.string().openapi({ description: "The email looked up, lower-cased.", example: "jean.dupont@example.com" }),
    invoices: z.array(z.object({ ...Common, status: z.string(), invoice_number: z.string().nullable(), payer: PayerSchema, total_amount: z.number().int(), currency: z.string(), created_at: Timestamp })),
    quotes: z.array(z.object({ ...Common, status: z.string(), quote_number: z.string().nullable(), payer: PayerSchema, total_amount: z.number().int(), currency: z.string(), created_at: Timestamp })),
    payment_links: z.array(
      z.object({
        ...Common,
        invoice_id: z.string().nullable(),
        status: z.string(),
        description: z.string().nullable(),
        payer: RequestPayerSchema.nullable().openapi({ description: "A payment request's payer; null for an invoice's link (its invoice holds the payer)." }),
        amount: z.number().int(),
        currency: z.string(),
        created_at: Timestamp,
      }),
    ),
    payments: z.array(
      z.object({
        ...Common,
        invoice_id: z.string().nullable(),
        payment_link_id: z.string().nullable(),
        status: z.string(),
        method: z.string(),
        amount: z.number().int(),
        refunded_amount: z.number().int(),
        currency: z.string(),
        paid_at: Timestamp,
      }),
    ),
    credit_notes: z.array(z.object({ ...Common, invoice_id: z.string(), created_at: Timestamp })),
    messages: z.array(
      z.object({
        ...Common,
        channel: z.enum(["email", "sms"]),
        template: z.string(),
        status: z.string(),
        to: z.string(),
        subject: z.string().nullable(),
        related_type: z.string().nullable(),
        related_id: z.string().nullable(),
        created_at: Timestamp,
      }),
    ),
    events: z.array(z.object({ id: z.string(), type: z.string(), organization_id: z.string().nullable(), created_at: Timestamp, payload_expired: z.boolean() })),
    truncated: z.boolean().openapi({ description: "A kind has more than 500 rows: only the oldest 500 are listed." }),
  })
  .openapi("PrivacyExport");

export const PrivacyErasureSchema = z
  .object({
    object: z.literal("privacy_erasure"),
    id: z.string().openapi({ example: "pe-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    livemode: z.boolean(),
    status: z.enum(["erased", "nothing_to_erase"]).openapi({ description: "`nothing_to_erase`: a repeated erasure (or a payer with nothing erasable); `kept` still lists what is kept." }),
    erased: z.object({
      invoices: z.number().int().openapi({ description: "Draft invoices whose payer was anonymized." }),
      quotes: z.number().int().openapi({ description: "Quotes not accepted whose payer was anonymized." }),
      payment_links: z.number().int().openapi({ description: "Revoked or expired payment requests whose payer was removed." }),
      messages: z.number().int().openapi({ description: "Emails to the payer whose recipient and content were erased." }),
      events: z.number().int().openapi({ description: "Event payloads about the payer's objects, expired." }),
    }),
    kept: z.array(z.object({ type: z.string().openapi({ example: "invoice" }), count: z.number().int(), reason: z.string() })),
    dunning_paused_invoices: z.array(z.string()).openapi({ description: "Kept invoices still due whose dunning this erasure paused (POST /v1/invoices/{id}/dunning can resume it).", example: ["inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"] }),
    remaining: z.boolean().openapi({ description: "More than 100 rows of a kind were erasable: call again to continue." }),
    created_at: Timestamp,
  })
  .openapi("PrivacyErasure");
