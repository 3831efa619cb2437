import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { departments, invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { auditEntry, diff, type ServiceContext } from "../context";
import { InvoiceFields } from "./create-invoice";
import { findInvoice, invoiceWhere } from "./get-invoice";
import { payerEmailHash, sealPayer, unsealPayer } from "./payer";
import { auditedInvoice, presentInvoiceWith, type InvoiceRow } from "./present";
import { assessDueDate, draftAmounts, requireExemptionReason, withoutWarning } from "./rules";
import { scoped } from "../tenancy";

export const UpdateInvoiceInput = z
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

/**
 * Drafts only: an issued invoice is a legal document and changes only through payments or a
 * credit note (409). Guarded on the version read, so a concurrent issue or edit wins cleanly.
 */
export async function updateInvoice({
  ctx,
  organizationId,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  id: string;
  input: z.infer<typeof UpdateInvoiceInput>;
}) {
  const { row: before } = await findInvoice(ctx, organizationId, id);
  if (before.status !== "draft") {
    throw new Conflict(`Invoice ${before.invoice_number} is ${before.status}: only drafts can be edited; cancel it with a credit note instead.`, "invoice_not_draft");
  }
  if (input.department_id !== undefined && !isId("department", input.department_id)) {
    throw new NotFound("department", input.department_id, "department_id");
  }
  const payerBefore = await unsealPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted);
  const payer = input.payer ?? payerBefore;
  // The same payer sent again is no change (sealing is randomized, so compare the clear values).
  const payerChanged = input.payer !== undefined && JSON.stringify(input.payer) !== JSON.stringify(payerBefore);
  const amounts = input.line_items ? draftAmounts(input.line_items) : null;
  requireExemptionReason(
    amounts?.line_items ?? before.line_items,
    input.vat_exemption_reason === undefined ? before.vat_exemption_reason : input.vat_exemption_reason,
  );
  const dueDate = input.due_date === undefined ? before.due_date : input.due_date;
  const warnings = input.due_date === undefined
    ? before.warnings
    : [...withoutWarning(before.warnings, "due_date_in_past"), ...assessDueDate(dueDate, parisToday(), ctx.principal.livemode)];

  const after: InvoiceRow = {
    ...before,
    department_id: input.department_id ?? before.department_id,
    ...(payerChanged && input.payer
      ? {
          payer_encrypted: await sealPayer(ctx.env.ENCRYPTION_KEY, id, input.payer),
          payer_email_hash: await payerEmailHash(ctx.env.ENCRYPTION_KEY, input.payer.email),
        }
      : {}),
    ...(amounts ? { ...amounts, amount_due: amounts.total_amount } : {}),
    due_date: dueDate,
    payment_terms: input.payment_terms === undefined ? before.payment_terms : input.payment_terms,
    vat_exemption_reason: input.vat_exemption_reason === undefined ? before.vat_exemption_reason : input.vat_exemption_reason,
    metadata: input.metadata ?? before.metadata,
    warnings,
    version: before.version + 1,
    updated_at: ctx.now,
  };
  const presentedBefore = presentInvoiceWith(before, payerBefore);
  const presentedAfter = presentInvoiceWith(after, payer);
  const changed = diff(auditedInvoice(presentedBefore), { ...auditedInvoice(presentedAfter), version: before.version, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0 && !payerChanged) return presentedBefore;

  const unchanged = and(invoiceWhere(ctx, organizationId, id), eq(invoices.status, "draft"), eq(invoices.version, before.version));
  const departmentOk = sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${and(eq(departments.id, after.department_id), scoped(ctx, departments, organizationId))})`;
  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${unchanged}) AND ${departmentOk}`;
  const { id: _id, partner_id: _p, livemode: _l, organization_id: _o, created_at: _c, ...settable } = after;
  const [, updated] = await ctx.db.batch([
    auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "updated", ...changed }, guard),
    ctx.db.update(invoices).set(settable).where(and(unchanged, departmentOk)),
  ]);
  if (changes(updated) === 0) {
    if (input.department_id !== undefined && input.department_id !== before.department_id) {
      const [dept] = await ctx.db.select({ id: departments.id }).from(departments).where(and(eq(departments.id, input.department_id), scoped(ctx, departments, organizationId)));
      if (!dept) throw new NotFound("department", input.department_id, "department_id");
    }
    throw new Conflict("The invoice changed while this edit was made (issued, cancelled or edited); read it again and retry.", "concurrent_update");
  }
  return presentedAfter;
}
