import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { departments, invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { isVatRate, MAX_QUANTITY, MAX_UNIT_PRICE_CENTS, quantityToMilli, VAT_RATE_VALUES } from "../../domain/vat";
import { CalendarDate, Metadata } from "../../lib/fields";
import { NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { Text } from "../../lib/text";
import { payerEmailHash, PayerSchema, sealPayer } from "./payer";
import { auditedInvoice, presentInvoiceWith, type InvoiceRow } from "./present";
import { assessDueDate, draftAmounts, requireExemptionReason } from "./rules";
import { owner, scoped } from "../tenancy";

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

export const InvoiceFields = {
  department_id: z.string().openapi({ description: "The department (régie) issuing it; must belong to the X-Entity-Id organization.", example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  payer: PayerSchema,
  line_items: z.array(LineItemInput).min(1, "at least one line").max(500, "at most 500 lines"),
  due_date: CalendarDate.nullable().openapi({ description: "Read in Europe/Paris. Default: 30 days after issue. Test mode accepts a past date with a warning." }),
  payment_terms: Text({ min: 1, max: 500 }).nullable().openapi({ example: "Paiement sous 30 jours" }),
  currency: z.literal("EUR").openapi({ description: "Only EUR for now." }),
  vat_exemption_reason: Text({ min: 1, max: 300 })
    .nullable()
    .openapi({ description: "Required when a line is at 0 %: the legal mention.", example: "TVA non applicable, art. 293 B du CGI" }),
  metadata: Metadata,
};

export const CreateInvoiceInput = z
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

/**
 * A draft: amounts computed, no number yet (numbers are given at issue). One batch: the insert,
 * its audit entry and `invoice.created`, all only if the department is the organization's.
 */
export async function createInvoice({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreateInvoiceInput> }) {
  const amounts = draftAmounts(input.line_items);
  requireExemptionReason(input.line_items, input.vat_exemption_reason);
  const warnings = assessDueDate(input.due_date, parisToday(), ctx.principal.livemode);
  if (!isId("department", input.department_id)) throw new NotFound("department", input.department_id, "department_id");

  const id = newId("invoice");
  const [payerSealed, emailHash] = await Promise.all([
    sealPayer(ctx.env.ENCRYPTION_KEY, id, input.payer),
    payerEmailHash(ctx.env.ENCRYPTION_KEY, input.payer.email),
  ]);
  const row: InvoiceRow = {
    id,
    ...owner(ctx),
    organization_id: organizationId,
    department_id: input.department_id,
    status: "draft",
    invoice_number: null,
    currency: input.currency ?? "EUR",
    payer_encrypted: payerSealed,
    payer_email_hash: emailHash,
    ...amounts,
    amount_paid: 0,
    amount_due: amounts.total_amount,
    due_date: input.due_date ?? null,
    payment_terms: input.payment_terms ?? null,
    vat_exemption_reason: input.vat_exemption_reason ?? null,
    mentions: null,
    metadata: input.metadata ?? {},
    warnings,
    credit_note_id: null,
    issued_at: null,
    paid_at: null,
    cancelled_at: null,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const invoice = presentInvoiceWith(row, input.payer);
  const departmentIsTheOrganizations = sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${and(eq(departments.id, input.department_id), scoped(ctx, departments, organizationId))})`;
  const eventId = newId("event");
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, invoices, row, departmentIsTheOrganizations),
    auditEntry(
      ctx,
      { organizationId, resourceType: "invoice", resourceId: id, action: "created", before: null, after: auditedInvoice(invoice) },
      departmentIsTheOrganizations,
    ),
    eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.created", data: { invoice_id: id, invoice } }), departmentIsTheOrganizations),
  ]);
  if (changes(inserted) === 0) throw new NotFound("department", input.department_id, "department_id");
  publishEvents(ctx, [eventId]);
  return invoice;
}
