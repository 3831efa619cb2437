import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { isUnitCode } from "../../domain/units";
import { isVatRate, MAX_QUANTITY, MAX_UNIT_PRICE_CENTS, quantityToMilli, VAT_RATE_VALUES } from "../../domain/vat";
import { CalendarDate, Cents, Metadata } from "../../lib/fields";
import { NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { Text } from "../../lib/text";
import { DeductedDepositsInput, depositsReservable, requireDepositsBelowTotal, requireStandardToDeduct, reserveDeposits, resolveDeposits } from "./deposits";
import { departmentIsTheOrganizations, draftInvoiceRow, INVOICE_PAYER, payerColumns, requireDepartmentId } from "./drafts";
import { PayerSchema } from "./payer";
import { auditedInvoice, presentInvoiceWith } from "./present";
import { assessDueDate, draftAmounts, requireExemptionReason } from "./rules";

export const LineItemInput = z
  .strictObject({
    description: Text({ min: 1, max: 1000 }).openapi({ example: "Consommation eau T1 2024" }),
    quantity: z
      .number()
      .positive()
      .max(MAX_QUANTITY)
      .refine((q) => (quantityToMilli(q) ?? 0) > 0, "at most 3 decimals (at least 0.001)")
      .openapi({ description: "Up to 3 decimals (e.g. 1.5 hours, 0.125 m³).", example: 125 }),
    unit: z
      .string()
      .refine(isUnitCode, "must be a UN/ECE Rec. 20 unit code such as C62 (one, the default), HUR (hour), DAY (day), MON (month), KWH (kWh), MTQ (m³), LTR (litre), KGM (kg)")
      .optional()
      .openapi({
        description: "Unit of the quantity (EN 16931 BT-130): a UN/ECE Recommendation 20 (or 21) code as the Factur-X EN 16931 rules accept, e.g. `C62` (one), `HUR`, `DAY`, `MON`, `KWH`, `MTQ`, `LTR`, `KGM`, `MTR`, `MTK`. Default `C62`.",
        example: "MTQ",
      }),
    unit_price: Cents({ min: 0, max: MAX_UNIT_PRICE_CENTS }).openapi({ description: "Unit price excluding VAT, in cents.", example: 320 }),
    vat_rate: z
      .number()
      .refine(isVatRate, `must be one of ${VAT_RATE_VALUES.join(", ")} (French VAT rates, in %)`)
      .openapi({ description: "VAT rate in percent: 0, 2.1, 5.5, 10 or 20. 0 needs `vat_exemption_reason`.", example: 5.5 }),
  })
  .openapi("LineItemInput");

export const ServicePeriod = z
  .strictObject({ start: CalendarDate, end: CalendarDate })
  .refine((p) => p.start <= p.end, { message: "start must be on or before end", path: ["end"] })
  .openapi("ServicePeriod", { description: "The period the service was provided over (EN 16931 BG-14), both days included.", example: { start: "2024-01-01", end: "2024-03-31" } });

export const InvoiceFields = {
  department_id: z.string().openapi({ description: "The department (régie) issuing it; must belong to the invoice's organization (X-Entity-Id on a create).", example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  payer: PayerSchema,
  line_items: z.array(LineItemInput).min(1, "at least one line").max(500, "at most 500 lines"),
  due_date: CalendarDate.nullable().openapi({ description: "Read in Europe/Paris. Default: 30 days after issue. Test mode accepts a past date with a warning." }),
  payment_terms: Text({ min: 1, max: 500 }).nullable().openapi({ example: "Paiement sous 30 jours" }),
  currency: z.literal("EUR").openapi({ description: "Only EUR for now." }),
  vat_exemption_reason: Text({ min: 1, max: 300 })
    .nullable()
    .openapi({ description: "Required when a line is at 0 %: the legal mention.", example: "TVA non applicable, art. 293 B du CGI" }),
  metadata: Metadata,
  service_date: CalendarDate.nullable().openapi({
    description: "Date of supply of the goods or completion of the service (YYYY-MM-DD), printed on the invoice; give it or `service_period`, not both. Default: the issue date.",
    example: "2024-03-31",
  }),
  service_period: ServicePeriod.nullable(),
  operation_category: z.enum(["goods", "services", "mixed"]).openapi({
    description: "Category of the operation, a mention of the e-invoicing reform: deliveries of goods, services, or both. Default `services`.",
    example: "services",
  }),
  deducted_deposits: DeductedDepositsInput,
};

/** A date of supply is a day or a period, not both (400 naming service_period). */
function oneSupplyDate(input: { service_date?: string | null; service_period?: unknown }, issue: z.RefinementCtx) {
  if (input.service_date != null && input.service_period != null) {
    issue.addIssue({ code: "custom", path: ["service_period"], message: "give service_date (one day) or service_period (a period), not both" });
  }
}

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
    type: z.enum(["standard", "deposit"]).optional().openapi({
      description: "`deposit` for a deposit invoice (\"facture d'acompte\", Factur-X type code 386), numbered in the same series; a later standard invoice deducts it once it is paid (`deducted_deposits`). Default `standard` (380). Cannot be changed afterwards.",
      example: "standard",
    }),
    service_date: InvoiceFields.service_date.optional(),
    service_period: InvoiceFields.service_period.optional(),
    operation_category: InvoiceFields.operation_category.optional(),
    deducted_deposits: InvoiceFields.deducted_deposits.optional(),
  })
  .superRefine(oneSupplyDate)
  .openapi("InvoiceCreate", {
    example: {
      department_id: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payer: {
        name: "Jean Dupont",
        email: "jean.dupont@example.com",
        address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
      },
      line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }],
      due_date: "2024-03-31",
      payment_terms: "Paiement sous 30 jours",
      service_period: { start: "2024-01-01", end: "2024-03-31" },
      operation_category: "services",
    },
  });

/**
 * A draft: amounts computed, no number yet (numbers are given at issue). One batch: the insert,
 * its audit entry and `invoice.created`, all only if the department is the organization's; with
 * deducted deposits, also their reservation (and its audit entries), only if each is still a
 * free paid deposit, so two drafts cannot take the same one.
 */
export async function createInvoice({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreateInvoiceInput> }) {
  const type = input.type ?? "standard";
  const amounts = draftAmounts(input.line_items);
  requireExemptionReason(input.line_items, input.vat_exemption_reason);
  const warnings = assessDueDate(input.due_date, parisToday(), ctx.principal.livemode);
  requireDepartmentId(input.department_id);
  requireStandardToDeduct(type, input.deducted_deposits);

  const id = newId("invoice");
  const depositIds = input.deducted_deposits ?? [];
  const deposits = await resolveDeposits(ctx, organizationId, id, depositIds);
  requireDepositsBelowTotal(deposits.amount, amounts.total_amount);
  const row = draftInvoiceRow(ctx, organizationId, {
    id,
    department_id: input.department_id,
    currency: input.currency ?? "EUR",
    ...(await payerColumns(ctx.env.ENCRYPTION_KEY, id, input.payer, INVOICE_PAYER)),
    ...amounts,
    type,
    deducted_deposits: deposits.deposits.length > 0 ? deposits.deposits : null,
    deposits_amount: deposits.amount,
    service_date: input.service_date ?? null,
    service_period: input.service_period ?? null,
    operation_category: input.operation_category ?? "services",
    due_date: input.due_date ?? null,
    payment_terms: input.payment_terms ?? null,
    vat_exemption_reason: input.vat_exemption_reason ?? null,
    metadata: input.metadata ?? {},
    warnings,
  });
  const invoice = presentInvoiceWith(row, input.payer);
  const guard = sql`${departmentIsTheOrganizations(ctx, organizationId, input.department_id)} AND ${depositsReservable(ctx, organizationId, id, depositIds)}`;
  const eventId = newId("event");
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, invoices, row, guard),
    auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "created", before: null, after: auditedInvoice(invoice) }, guard),
    eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "invoice.created", data: { invoice_id: id, invoice } }), guard),
    ...reserveDeposits(ctx, organizationId, id, depositIds, guard),
  ]);
  if (changes(inserted) === 0) {
    // A deposit taken (or refunded) since it was read explains it with its own 422; else the department.
    await resolveDeposits(ctx, organizationId, id, depositIds);
    throw new NotFound("department", input.department_id, "department_id");
  }
  publishEvents(ctx, [eventId]);
  return invoice;
}
