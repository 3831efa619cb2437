import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { departments, organizations, quotes } from "../../db/schema";
import { addDays, parisToday } from "../../domain/dates";
import { quoteMentions } from "../../domain/quote-mentions";
import { DEFAULT_QUOTE_VALIDITY_DAYS } from "../../domain/quote-status";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { sellerFromOrganization } from "../documents/models";
import { incrementCounter, numberExpression } from "../invoices/numbering";
import { isBusinessPayer } from "../invoices/payer";
import { quoteWhere } from "./get-quote";
import { unsealQuotePayer } from "./payer";
import { presentQuoteWith, type QuoteRow } from "./present";
import { organizationOfObject, scoped, type OrganizationScope } from "../tenancy";

/**
 * draft → sent. The number (DEV-2026-00001) comes from the organization's own gap-free quote
 * series, in the same batch as the status change, its audit entry and `quote.status_changed`;
 * the seller as printed is frozen now (as an invoice's mentions are at issue). A quote without
 * `valid_until` is valid for 30 days from today (Paris).
 */
export async function sendQuote({ ctx, organizationId: scope, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("quote", id)) throw new NotFound("quote", id, "id");
  // X-Entity-Id is optional here: the seller is the quote's own organization, found by subquery in the same read.
  const [rows, orgs] = await ctx.db.batch([
    ctx.db.select().from(quotes).where(quoteWhere(ctx, scope, id)),
    ctx.db.select().from(organizations).where(and(eq(organizations.id, organizationOfObject(ctx, quotes, scope, id)), scoped(ctx, organizations))),
  ]);
  const before = rows[0];
  const seller = orgs[0];
  if (!before || !seller) throw new NotFound("quote", id, "id");
  const organizationId = before.organization_id;
  if (before.status !== "draft") {
    throw new Conflict(`Quote already ${before.status}${before.quote_number ? ` as ${before.quote_number}` : ""}: only a draft can be sent.`, "quote_not_draft");
  }

  const today = parisToday();
  const year = Number(today.slice(0, 4));
  const validUntil = before.valid_until ?? addDays(today, DEFAULT_QUOTE_VALIDITY_DAYS);
  if (validUntil < today) {
    throw new BusinessRule(`The draft's valid_until ${validUntil} has passed: set a new valid_until before sending.`, "valid_until_in_past", "valid_until");
  }
  if (!seller.address && ctx.principal.livemode) {
    throw new BusinessRule("The organization has no address; a quote must show the seller's address.", "seller_address_required", "organization.address");
  }
  // A public body's offer is made by one of its régies: its name is printed under the body's.
  const [department] =
    seller.type === "public_entity"
      ? await ctx.db.select({ name: departments.name }).from(departments).where(and(eq(departments.id, before.department_id), scoped(ctx, departments, organizationId)))
      : [];

  const payer = await unsealQuotePayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const mentions = quoteMentions({
    issueDate: today,
    validUntil,
    seller: sellerFromOrganization(seller, department?.name ?? null),
    buyerIsBusiness: isBusinessPayer(payer),
    paymentTerms: before.payment_terms,
    vatExemptionReason: before.vat_exemption_reason,
  });
  const after: QuoteRow = {
    ...before,
    status: "sent",
    valid_until: validUntil,
    mentions: mentions as unknown as Record<string, unknown>,
    sent_at: ctx.now,
    version: before.version + 1,
    updated_at: ctx.now,
  };

  const stillDraft = and(quoteWhere(ctx, organizationId, id), eq(quotes.status, "draft"), eq(quotes.version, before.version));
  const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${stillDraft})`;
  const number = numberExpression(organizationId, "quote", year);
  const quote = presentQuoteWith(after, payer);
  const eventId = newId("event");
  const results = await ctx.db.batch([
    incrementCounter(ctx.db, organizationId, "quote", year, guard),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "quote",
        resourceId: id,
        action: "status_changed",
        before: null,
        after: null,
        changesSql: sql`json_object('before', json_object('status', 'draft', 'quote_number', NULL), 'after', json_object('status', 'sent', 'quote_number', ${number}, 'sent_at', ${ctx.now}, 'valid_until', ${validUntil}))`,
      },
      guard,
    ),
    eventEntry(
      ctx,
      await sealedEvent(ctx, {
        id: eventId,
        organizationId,
        type: "quote.status_changed",
        data: { quote_id: id, previous_status: "draft", current_status: "sent", quote },
        assigned: { "quote.quote_number": number },
      }),
      guard,
    ),
    ctx.db
      .update(quotes)
      .set({ status: "sent", quote_number: number, valid_until: validUntil, mentions: after.mentions, sent_at: ctx.now, version: after.version, updated_at: ctx.now })
      .where(stillDraft),
    ctx.db.select({ quote_number: quotes.quote_number }).from(quotes).where(quoteWhere(ctx, organizationId, id)),
  ]);
  if (changes(results[3]) === 0) throw new Conflict("The quote changed while it was being sent; read it again.", "concurrent_update");
  publishEvents(ctx, [eventId]);
  return { ...quote, quote_number: results[4][0]?.quote_number ?? null };
}
