import { z } from "@hono/zod-openapi";
import { changes, insertWhere } from "../../db/guarded";
import { quotes } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { CalendarDate } from "../../lib/fields";
import { NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { InvoiceFields } from "../invoices/create-invoice";
import { departmentIsTheOrganizations, payerColumns, requireDepartmentId } from "../invoices/drafts";
import { draftAmounts, requireExemptionReason } from "../invoices/rules";
import { QUOTE_PAYER } from "./payer";
import { auditedQuote, presentQuoteWith, type QuoteRow } from "./present";
import { requireFutureValidity } from "./rules";
import { owner } from "../tenancy";

/** The fields of a quote: an invoice's (same line schema, same amounts), with a validity instead of a due date. */
export const QuoteFields = {
  department_id: InvoiceFields.department_id,
  payer: InvoiceFields.payer,
  line_items: InvoiceFields.line_items,
  valid_until: CalendarDate.nullable().openapi({
    description: "Last day (Europe/Paris) the offer can be accepted; after it a sent quote expires. Default: 30 days after it is sent. Not before today.",
    example: "2026-12-31",
  }),
  payment_terms: InvoiceFields.payment_terms,
  currency: InvoiceFields.currency,
  vat_exemption_reason: InvoiceFields.vat_exemption_reason,
  metadata: InvoiceFields.metadata,
};

export const CreateQuoteInput = z
  .strictObject({
    department_id: QuoteFields.department_id,
    payer: QuoteFields.payer,
    line_items: QuoteFields.line_items,
    valid_until: QuoteFields.valid_until.optional(),
    payment_terms: QuoteFields.payment_terms.optional(),
    currency: QuoteFields.currency.optional(),
    vat_exemption_reason: QuoteFields.vat_exemption_reason.optional(),
    metadata: QuoteFields.metadata.optional(),
  })
  .openapi("QuoteCreate", {
    example: {
      department_id: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payer: {
        name: "Jean Dupont",
        email: "jean.dupont@example.com",
        address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
      },
      line_items: [
        { description: "Raccordement au réseau d'eau potable", quantity: 1, unit_price: 85000, vat_rate: 20 },
        { description: "Compteur d'eau DN15", quantity: 1, unit_price: 12000, vat_rate: 20 },
      ],
      valid_until: "2026-12-31",
      payment_terms: "Acompte de 30 % à la commande, solde à réception des travaux",
    },
  });

/**
 * A draft quote: amounts computed exactly as an invoice's, no number yet (given when sent). One
 * batch: the insert, its audit entry and `quote.created`, all only if the department is the
 * organization's.
 */
export async function createQuote({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreateQuoteInput> }) {
  const amounts = draftAmounts(input.line_items);
  requireExemptionReason(input.line_items, input.vat_exemption_reason);
  requireFutureValidity(input.valid_until, parisToday());
  requireDepartmentId(input.department_id);

  const id = newId("quote");
  const row: QuoteRow = {
    id,
    ...owner(ctx),
    organization_id: organizationId,
    department_id: input.department_id,
    status: "draft",
    quote_number: null,
    currency: input.currency ?? "EUR",
    ...(await payerColumns(ctx.env.ENCRYPTION_KEY, id, input.payer, QUOTE_PAYER)),
    ...amounts,
    valid_until: input.valid_until ?? null,
    payment_terms: input.payment_terms ?? null,
    vat_exemption_reason: input.vat_exemption_reason ?? null,
    mentions: null,
    metadata: input.metadata ?? {},
    invoice_id: null,
    decline_reason: null,
    sent_at: null,
    accepted_at: null,
    declined_at: null,
    expired_at: null,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const quote = presentQuoteWith(row, input.payer);
  const guard = departmentIsTheOrganizations(ctx, organizationId, input.department_id);
  const eventId = newId("event");
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, quotes, row, guard),
    auditEntry(ctx, { organizationId, resourceType: "quote", resourceId: id, action: "created", before: null, after: auditedQuote(quote) }, guard),
    eventEntry(ctx, await sealedEvent(ctx, { id: eventId, organizationId, type: "quote.created", data: { quote_id: id, quote } }), guard),
  ]);
  if (changes(inserted) === 0) throw new NotFound("department", input.department_id, "department_id");
  publishEvents(ctx, [eventId]);
  return quote;
}
