import { z } from "@hono/zod-openapi";
import { isCalendarDate } from "../../domain/dates";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { isVatRate, MAX_QUANTITY, MAX_UNIT_PRICE_CENTS, quantityToMilli, VAT_RATE_VALUES } from "../../domain/vat";
import { AddressSchema, Metadata, Timestamp, WarningSchema } from "../../lib/openapi";
import { Text } from "../../lib/text";

export const InvoiceIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const CalendarDate = z
  .string()
  .refine(isCalendarDate, "must be a date YYYY-MM-DD")
  .openapi({ format: "date", example: "2026-03-31" });

export const Payer = z
  .strictObject({
    name: Text({ min: 1, max: 200 }).openapi({ example: "Jean Dupont" }),
    email: z.email().max(254).openapi({ example: "jean.dupont@example.com" }),
    address: AddressSchema.strict().optional(),
    siren: z
      .string()
      .regex(/^\d{9}$/, "must be 9 digits")
      .optional()
      .openapi({ description: "A business payer's SIREN: the B2B mentions (penalties, 40 € indemnity) then apply.", example: "552081317" }),
    vat_number: Text({ min: 4, max: 20 }).optional().openapi({ example: "FR03552081317" }),
  })
  .openapi("Payer", { description: "Stored encrypted (personal data)." });

export const LineItemInput = z
  .strictObject({
    description: Text({ min: 1, max: 1000 }).openapi({ example: "Consommation eau T1 2024" }),
    quantity: z
      .number()
      .positive()
      .max(MAX_QUANTITY)
      .refine((q) => (quantityToMilli(q) ?? 0) > 0, "at most 3 decimals (at least 0.001)")
      .openapi({ description: "Up to 3 decimals (e.g. 1.5 hours, 0.125 m³).", example: 125 }),
    unit_price: z.number().int().min(0).max(MAX_UNIT_PRICE_CENTS).openapi({ description: "Unit price excluding VAT, in cents.", example: 320 }),
    vat_rate: z
      .number()
      .refine(isVatRate, `must be one of ${VAT_RATE_VALUES.join(", ")} (French VAT rates, in %)`)
      .openapi({ description: "VAT rate in percent: 0, 2.1, 5.5, 10 or 20. 0 needs `vat_exemption_reason`.", example: 5.5 }),
  })
  .openapi("LineItemInput");

const InvoiceFields = {
  department_id: z.string().openapi({ description: "The department (régie) issuing it; must belong to the X-Entity-Id organization.", example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  payer: Payer,
  line_items: z.array(LineItemInput).min(1, "at least one line").max(500, "at most 500 lines"),
  due_date: CalendarDate.nullable().openapi({ description: "Read in Europe/Paris. Default: 30 days after issue. Test mode accepts a past date with a warning." }),
  payment_terms: Text({ min: 1, max: 500 }).nullable().openapi({ example: "Paiement sous 30 jours" }),
  currency: z.literal("EUR").openapi({ description: "Only EUR for now." }),
  vat_exemption_reason: Text({ min: 1, max: 300 })
    .nullable()
    .openapi({ description: "Required when a line is at 0 %: the legal mention.", example: "TVA non applicable, art. 293 B du CGI" }),
  metadata: Metadata,
};

export const InvoiceCreate = z
  .strictObject({
    department_id: InvoiceFields.department_id,
    payer: InvoiceFields.payer,
    line_items: InvoiceFields.line_items,
    due_date: InvoiceFields.due_date.optional(),
    payment_terms: InvoiceFields.payment_terms.optional(),
    currency: InvoiceFields.currency.optional(),
    vat_exemption_reason: InvoiceFields.vat_exemption_reason.optional(),
    metadata: InvoiceFields.metadata.optional(),
  })
  .openapi("InvoiceCreate", {
    example: {
      department_id: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payer: {
        name: "Jean Dupont",
        email: "jean.dupont@example.com",
        address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
      },
      line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 }],
      due_date: "2024-03-31",
      payment_terms: "Paiement sous 30 jours",
    },
  });

export const InvoiceUpdate = z
  .strictObject({
    department_id: InvoiceFields.department_id.optional(),
    payer: InvoiceFields.payer.optional(),
    line_items: InvoiceFields.line_items.optional(),
    due_date: InvoiceFields.due_date.optional(),
    payment_terms: InvoiceFields.payment_terms.optional(),
    vat_exemption_reason: InvoiceFields.vat_exemption_reason.optional(),
    metadata: InvoiceFields.metadata.optional(),
  })
  .openapi("InvoiceUpdate", { example: { due_date: "2026-12-31", payment_terms: "Paiement à 30 jours fin de mois" } });

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
    payer: Payer,
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
