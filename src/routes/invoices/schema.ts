import { z } from "@hono/zod-openapi";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { Timestamp, WarningSchema } from "../../lib/fields";
import { PayerSchema } from "../../services/invoices/payer";

export const InvoiceIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

const TaxBreakdown = z
  .object({
    vat_rate: z.number().openapi({ example: 5.5 }),
    taxable_amount: z.number().int().openapi({ example: 40000 }),
    tax_amount: z.number().int().openapi({ example: 2200 }),
  })
  .openapi("TaxBreakdownEntry");

export const CreditNoteSchema = z
  .object({
    id: z.string().openapi({ example: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("credit_note"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string(),
    credit_note_number: z.string().openapi({ example: "AV-2026-00001" }),
    invoice_number: z.string().openapi({ example: "FAC-2026-00001" }),
    invoice_issue_date: z.string().openapi({ example: "2026-11-21" }),
    reason: z.string().nullable(),
    currency: z.string(),
    subtotal_amount: z.number().int(),
    tax_amount: z.number().int(),
    total_amount: z.number().int(),
    tax_breakdown: z.array(TaxBreakdown),
    mentions: z.record(z.string(), z.unknown()),
    issued_at: Timestamp,
    created_at: Timestamp,
  })
  .openapi("CreditNote");

export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("invoice"),
    livemode: z.boolean(),
    organization_id: z.string(),
    department_id: z.string(),
    invoice_number: z.string().nullable().openapi({ description: "Given at issue (null while draft).", example: "FAC-2026-00001" }),
    status: z.enum(INVOICE_STATUSES),
    currency: z.string().openapi({ example: "EUR" }),
    payer: PayerSchema,
    line_items: z.array(
      z.object({
        description: z.string(),
        quantity: z.number(),
        unit_price: z.number().int(),
        vat_rate: z.number(),
        net_amount: z.number().int().openapi({ description: "quantity × unit_price, rounded half-up to the cent.", example: 40000 }),
      }),
    ),
    subtotal_amount: z.number().int().openapi({ description: "Total excluding VAT (HT).", example: 40000 }),
    tax_amount: z.number().int().openapi({ example: 2200 }),
    total_amount: z.number().int().openapi({ description: "Total including VAT (TTC).", example: 42200 }),
    tax_breakdown: z.array(TaxBreakdown).openapi({ description: "VAT per rate, computed on the sum of that rate's line nets." }),
    amount_paid: z.number().int(),
    amount_due: z.number().int(),
    due_date: z.string().nullable().openapi({ example: "2024-03-31" }),
    payment_terms: z.string().nullable(),
    vat_exemption_reason: z.string().nullable(),
    mentions: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Mandatory mentions frozen at issue (seller identity, terms, penalties, indemnity)." }),
    credit_note: CreditNoteSchema.nullable(),
    issued_at: Timestamp.nullable(),
    paid_at: Timestamp.nullable(),
    cancelled_at: Timestamp.nullable(),
    metadata: z.record(z.string(), z.string()),
    warnings: z.array(WarningSchema),
    version: z.number().int().openapi({ description: "Increases with every change." }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Invoice");
