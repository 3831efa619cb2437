import { z } from "@hono/zod-openapi";
import { CREDIT_NOTE_TYPES } from "../../domain/credit-note";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { Timestamp, WarningSchema } from "../../lib/fields";
import { InvoiceFields, ServicePeriod } from "../../services/invoices/create-invoice";
import { PayerSchema } from "../../services/invoices/payer";

export const InvoiceIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const TaxBreakdown = z
  .object({
    vat_rate: z.number().openapi({ example: 5.5 }),
    taxable_amount: z.number().int().openapi({ example: 40000 }),
    tax_amount: z.number().int().openapi({ example: 2200 }),
  })
  .openapi("TaxBreakdownEntry");

/** A document line as every document presents it (invoices, credit notes, quotes). */
export const LineItemSchema = z
  .object({
    description: z.string().openapi({ example: "Consommation eau T1 2024" }),
    quantity: z.number().openapi({ example: 125 }),
    unit: z.string().openapi({ description: "UN/ECE Rec. 20 unit code (C62, \"one\", when none was given).", example: "MTQ" }),
    unit_price: z.number().int().openapi({ description: "Excluding VAT, in cents.", example: 320 }),
    vat_rate: z.number().openapi({ example: 5.5 }),
    net_amount: z.number().int().openapi({ description: "quantity × unit_price, rounded half-up to the cent.", example: 40000 }),
  })
  .openapi("LineItem");

export const CreditNoteSchema = z
  .object({
    id: z.string().openapi({ example: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("credit_note"),
    livemode: z.boolean(),
    version: z.number().int().openapi({ description: "Starts at 1 and increases with every change of the object: a webhook payload's `object_version` (keep the highest seen per object)." }),
    organization_id: z.string(),
    invoice_id: z.string(),
    credit_note_number: z.string().openapi({ example: "AV-2026-00001" }),
    invoice_number: z.string().openapi({ example: "FAC-2026-00001" }),
    invoice_issue_date: z.string().openapi({ description: "The credited invoice's issue date (Europe/Paris), cited with its number (BT-25/BT-26).", example: "2026-11-21" }),
    type: z.enum(CREDIT_NOTE_TYPES).openapi({
      description: "`cancellation`: the whole invoice, by POST /v1/invoices/{id}/cancel. `price_reduction`: a part of it, by a refund of type `price_reduction` once it succeeded.",
      example: "price_reduction",
    }),
    refund_id: z.string().nullable().openapi({ description: "The refund that lowered the price (price_reduction); null for a cancellation.", example: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    reason: z.string().nullable().openapi({ example: "Remise commerciale de 100€" }),
    currency: z.string(),
    line_items: z
      .array(LineItemSchema)
      .openapi({
        description:
          "What is credited. A cancellation: the invoice's own lines. A price reduction: one line per VAT rate of the invoice (\"Réduction de prix\" and the reason, quantity 1), the refunded amount split over the rates in proportion to each rate's share of the invoice's total including VAT, each part cut into a base and its VAT so that VAT = base × rate rounded (BR-CO-17). When the rounding makes that impossible for a part, one cent moves to another rate; with a single rate the VAT takes the extra cent.",
      }),
    subtotal_amount: z.number().int().openapi({ example: 9479 }),
    tax_amount: z.number().int().openapi({ example: 521 }),
    total_amount: z.number().int().openapi({ description: "Including VAT: for a price reduction, the amount refunded.", example: 10000 }),
    tax_breakdown: z.array(TaxBreakdown),
    mentions: z.record(z.string(), z.unknown()),
    document: z
      .object({
        pdf_url: z.string().openapi({ description: "Path of the credit note's Factur-X PDF/A-3 (type code 381) on this API (same credentials; X-Entity-Id optional).", example: "/v1/credit_notes/cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/pdf" }),
        xml_url: z.string().openapi({ example: "/v1/credit_notes/cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/xml" }),
        sha256: z.string().nullable().openapi({ description: "SHA-256 (hex) of the archived PDF; null until it is generated (its first download or the minute cron archives it once)." }),
        xml_sha256: z.string().nullable(),
        generated_at: Timestamp.nullable(),
      })
      .openapi("CreditNoteDocument"),
    issued_at: Timestamp,
    created_at: Timestamp,
  })
  .openapi("CreditNote");

export const InvoiceDocumentSchema = z
  .object({
    pdf_url: z.string().openapi({ description: "Path of the Factur-X PDF/A-3 on this API (same credentials; X-Entity-Id optional).", example: "/v1/invoices/inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/pdf" }),
    xml_url: z.string().openapi({ example: "/v1/invoices/inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/xml" }),
    sha256: z.string().nullable().openapi({ description: "SHA-256 (hex) of the archived PDF, fixed at issue: every download is byte-identical. Null only for an invoice issued before documents existed, until its first download.", example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }),
    xml_sha256: z.string().nullable().openapi({ description: "SHA-256 (hex) of the archived CII XML." }),
    generated_at: Timestamp.nullable(),
  })
  .openapi("InvoiceDocument");

export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("invoice"),
    livemode: z.boolean(),
    organization_id: z.string(),
    department_id: z.string(),
    invoice_number: z.string().nullable().openapi({ description: "Given at issue (null while draft).", example: "FAC-2026-00001" }),
    status: z.enum(INVOICE_STATUSES),
    type: z.enum(["standard", "deposit"]).openapi({ description: "`standard` (Factur-X type code 380) or `deposit` (a deposit invoice, 386).", example: "standard" }),
    currency: z.string().openapi({ example: "EUR" }),
    payer: PayerSchema,
    line_items: z.array(LineItemSchema),
    subtotal_amount: z.number().int().openapi({ description: "Total excluding VAT (HT).", example: 40000 }),
    tax_amount: z.number().int().openapi({ example: 2200 }),
    total_amount: z.number().int().openapi({ description: "Total including VAT (TTC).", example: 42200 }),
    tax_breakdown: z.array(TaxBreakdown).openapi({ description: "VAT per rate, computed on the sum of that rate's line nets." }),
    deducted_deposits: z
      .array(
        z
          .object({
            invoice_id: z.string().openapi({ example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
            invoice_number: z.string().openapi({ example: "FAC-2026-00001" }),
            issue_date: z.string().openapi({ format: "date", description: "Issue date of the deposit invoice (Europe/Paris).", example: "2026-02-01" }),
            amount: z.number().int().openapi({ description: "What the deposit brings: its total including VAT (less any credit note on it), in cents.", example: 12000 }),
          })
          .openapi("DeductedDeposit"),
      )
      .openapi({ description: "The paid deposit invoices this invoice deducts, as cited on its document (empty when none)." }),
    deposits_amount: z.number().int().openapi({ description: "Sum of the deducted deposits, in cents: already paid, shown as prepaid (BT-113).", example: 12000 }),
    credited_amount: z.number().int().openapi({
      description: "Sum of the partial credit notes (price reductions) on this invoice, in cents: no longer owed. The invoice is paid once amount_paid reaches total_amount − deposits_amount − credited_amount.",
      example: 0,
    }),
    amount_paid: z.number().int().openapi({ description: "Money received on this invoice (payments less refunds), in cents." }),
    amount_due: z.number().int().openapi({ description: "What is left to pay: total_amount − deposits_amount − credited amounts − amount_paid (0 once cancelled).", example: 30200 }),
    due_date: z.string().nullable().openapi({ example: "2024-03-31" }),
    dunning_paused: z.boolean().openapi({ description: "Dunning reminders are paused for this invoice (`POST /v1/invoices/{id}/dunning`).", example: false }),
    payment_terms: z.string().nullable(),
    vat_exemption_reason: z.string().nullable(),
    service_date: z.string().nullable().openapi({ format: "date", description: "Date of supply; null with a service_period, or when the issue date applies.", example: "2024-03-31" }),
    service_period: ServicePeriod.nullable(),
    operation_category: InvoiceFields.operation_category,
    quote_id: z.string().nullable().openapi({ description: "The accepted quote this invoice was made from.", example: "quo-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    mentions: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Mandatory mentions frozen at issue (seller identity, terms, penalties, indemnity)." }),
    credit_note: CreditNoteSchema.nullable().openapi({ description: "The credit note that cancelled this issued invoice, if one did." }),
    credit_notes: z
      .array(
        z
          .object({
            id: z.string().openapi({ example: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
            credit_note_number: z.string().openapi({ example: "AV-2026-00001" }),
            type: z.enum(CREDIT_NOTE_TYPES),
            refund_id: z.string().nullable(),
            total_amount: z.number().int().openapi({ example: 10000 }),
            issued_at: Timestamp,
          })
          .openapi("CreditNoteSummary"),
      )
      .openapi({ description: "Every credit note of this invoice, oldest first (GET /v1/credit_notes/{id} for one in full)." }),
    document: InvoiceDocumentSchema.nullable().openapi({ description: "The issued invoice's archived Factur-X documents; null on a draft (its PDF is a preview)." }),
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
