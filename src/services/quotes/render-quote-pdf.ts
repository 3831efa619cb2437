import { and, eq, sql } from "drizzle-orm";
import type { QuoteDocument } from "../../documents/model";
import { documentEngine } from "../documents/engine";
import { departments, organizations, quotes } from "../../db/schema";
import { addDays, parisToday } from "../../domain/dates";
import type { QuoteMentions, QuoteSeller } from "../../domain/quote-mentions";
import { DEFAULT_QUOTE_VALIDITY_DAYS } from "../../domain/quote-status";
import { lineWithUnit } from "../../domain/units";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { documentBuyer, sellerFromOrganization } from "../documents/models";
import { isBusinessPayer, type Payer } from "../invoices/payer";
import { quoteWhere } from "./get-quote";
import { unsealQuotePayer } from "./payer";
import type { QuoteRow } from "./present";
import { organizationOfObject, scoped, type OrganizationScope } from "../tenancy";

/** The document model of a quote: a sent one from its frozen mentions, a draft (number null) as of today. */
export function quoteModel(row: QuoteRow, payer: Payer, draftSeller: QuoteSeller | null, today: string): QuoteDocument {
  const frozen = row.mentions as unknown as QuoteMentions | null;
  const seller = frozen?.seller ?? draftSeller;
  if (!seller) throw new Error(`quote ${row.id}: no seller to print`);
  return {
    number: row.quote_number,
    issue_date: frozen?.issue_date ?? today,
    valid_until: frozen?.valid_until ?? row.valid_until ?? addDays(today, DEFAULT_QUOTE_VALIDITY_DAYS),
    currency: "EUR",
    seller,
    buyer: documentBuyer(payer, frozen?.buyer_is_business ?? isBusinessPayer(payer)),
    lines: row.line_items.map(lineWithUnit),
    tax_breakdown: row.tax_breakdown,
    totals: { total_excl_tax: row.subtotal_amount, total_tax: row.tax_amount, total_incl_tax: row.total_amount },
    vat_exemption: frozen ? frozen.vat_exemption : row.vat_exemption_reason,
    payment_terms: frozen ? frozen.payment_terms : row.payment_terms,
  };
}

/**
 * The quote's PDF (a plain PDF/A: a quote is not an invoice, so no Factur-X), rendered on each
 * call and never stored. Deterministic for a sent quote: dated by its sending, identified by its id.
 */
export async function renderQuoteDocument({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("quote", id)) throw new NotFound("quote", id, "id");
  const [rows, orgs, depts] = await ctx.db.batch([
    ctx.db.select().from(quotes).where(quoteWhere(ctx, organizationId, id)),
    // The quote's own organization (X-Entity-Id may be absent), in the same round trip.
    ctx.db.select().from(organizations).where(and(eq(organizations.id, organizationOfObject(ctx, quotes, organizationId, id)), scoped(ctx, organizations))),
    ctx.db
      .select({ name: departments.name })
      .from(departments)
      .where(and(scoped(ctx, departments, organizationId), eq(departments.id, sql`(SELECT ${quotes.department_id} FROM ${quotes} WHERE ${quoteWhere(ctx, organizationId, id)})`))),
  ]);
  const row = rows[0];
  const org = orgs[0];
  if (!row || !org) throw new NotFound("quote", id, "id");
  const payer = await unsealQuotePayer(ctx.env.ENCRYPTION_KEY, id, row.payer_encrypted);
  const model = quoteModel(row, payer, row.mentions ? null : sellerFromOrganization(org, depts[0]?.name ?? null), parisToday());
  const bytes = await (await documentEngine()).renderQuotePdf(model, { created_at: row.sent_at ?? row.updated_at, document_id: row.id });
  return { bytes, contentType: "application/pdf", filename: `${row.quote_number ?? `brouillon-${row.id}`}.pdf`, sha256: null };
}
