import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { quotes } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import { departmentIsTheOrganizations, editPayer, explainDepartment, requireDepartmentId } from "../invoices/drafts";
import { draftAmounts, requireExemptionReason } from "../invoices/rules";
import { QuoteFields } from "./create-quote";
import { findQuote, quoteWhere } from "./get-quote";
import { QUOTE_PAYER } from "./payer";
import { auditedQuote, presentQuoteWith, type QuoteRow } from "./present";
import { requireFutureValidity } from "./rules";
import type { OrganizationScope } from "../tenancy";

export const UpdateQuoteInput = z
  .strictObject({
    department_id: QuoteFields.department_id.optional(),
    payer: QuoteFields.payer.optional(),
    line_items: QuoteFields.line_items.optional(),
    valid_until: QuoteFields.valid_until.optional(),
    payment_terms: QuoteFields.payment_terms.optional(),
    vat_exemption_reason: QuoteFields.vat_exemption_reason.optional(),
    metadata: QuoteFields.metadata.optional(),
  })
  .openapi("QuoteUpdate", { example: { valid_until: "2026-12-31", payment_terms: "Paiement à 30 jours fin de mois" } });

/**
 * Drafts only: a sent quote is the offer the payer holds, numbered and frozen (409
 * `quote_not_draft`). Guarded on the version read, so a concurrent send or edit wins cleanly.
 */
export async function updateQuote({
  ctx,
  organizationId: scope,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof UpdateQuoteInput>;
}) {
  const before = await findQuote(ctx, scope, id);
  // The quote's own organization (X-Entity-Id is optional here): what the batch writes and checks.
  const organizationId = before.organization_id;
  if (before.status !== "draft") {
    throw new Conflict(`Quote ${before.quote_number} is ${before.status}: only drafts can be edited; make a new quote instead.`, "quote_not_draft");
  }
  requireDepartmentId(input.department_id);
  const amounts = input.line_items ? draftAmounts(input.line_items) : null;
  requireExemptionReason(
    amounts?.line_items ?? before.line_items,
    input.vat_exemption_reason === undefined ? before.vat_exemption_reason : input.vat_exemption_reason,
  );
  requireFutureValidity(input.valid_until, parisToday());
  const payer = await editPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted, input.payer, QUOTE_PAYER);

  const after: QuoteRow = {
    ...before,
    department_id: input.department_id ?? before.department_id,
    ...payer.columns,
    ...(amounts ?? {}),
    valid_until: input.valid_until === undefined ? before.valid_until : input.valid_until,
    payment_terms: input.payment_terms === undefined ? before.payment_terms : input.payment_terms,
    vat_exemption_reason: input.vat_exemption_reason === undefined ? before.vat_exemption_reason : input.vat_exemption_reason,
    metadata: input.metadata ?? before.metadata,
    version: before.version + 1,
    updated_at: ctx.now,
  };
  const presentedBefore = presentQuoteWith(before, payer.before);
  const presentedAfter = presentQuoteWith(after, payer.after);
  const changed = diff(auditedQuote(presentedBefore), { ...auditedQuote(presentedAfter), version: before.version, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0 && !payer.changed) return presentedBefore;

  const unchanged = and(quoteWhere(ctx, organizationId, id), eq(quotes.status, "draft"), eq(quotes.version, before.version));
  const departmentOk = departmentIsTheOrganizations(ctx, organizationId, after.department_id);
  const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${unchanged}) AND ${departmentOk}`;
  const { id: _id, partner_id: _p, livemode: _l, organization_id: _o, created_at: _c, ...settable } = after;
  const [, updated] = await ctx.db.batch([
    auditEntry(ctx, { organizationId, resourceType: "quote", resourceId: id, action: "updated", ...changed }, guard),
    ctx.db.update(quotes).set(settable).where(and(unchanged, departmentOk)),
  ]);
  if (changes(updated) === 0) {
    await explainDepartment(ctx, organizationId, input.department_id, before.department_id);
    throw new Conflict("The quote changed while this edit was made (sent or edited); read it again and retry.", "concurrent_update");
  }
  return presentedAfter;
}
