import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import { InvoiceFields } from "./create-invoice";
import { depositIds, depositsReservable, releaseDeposits, requireDepositsBelowTotal, requireStandardToDeduct, reserveDeposits, resolveDeposits } from "./deposits";
import { findInvoice, invoiceWhere } from "./get-invoice";
import { departmentIsTheOrganizations, editPayer, explainDepartment, INVOICE_PAYER, requireDepartmentId } from "./drafts";
import { auditedInvoice, presentInvoiceWith, type InvoiceRow } from "./present";
import type { OrganizationScope } from "../tenancy";
import { assessDueDate, draftAmounts, requireExemptionReason, withoutWarning } from "./rules";

export const UpdateInvoiceInput = z
  .strictObject({
    department_id: InvoiceFields.department_id.optional(),
    payer: InvoiceFields.payer.optional(),
    line_items: InvoiceFields.line_items.optional(),
    due_date: InvoiceFields.due_date.optional(),
    payment_terms: InvoiceFields.payment_terms.optional(),
    vat_exemption_reason: InvoiceFields.vat_exemption_reason.optional(),
    metadata: InvoiceFields.metadata.optional(),
    service_date: InvoiceFields.service_date.optional().openapi({
      description: "Date of supply (YYYY-MM-DD); setting it clears a stored `service_period` (and the other way round); null clears it (the issue date applies).",
    }),
    service_period: InvoiceFields.service_period.optional(),
    operation_category: InvoiceFields.operation_category.optional(),
    deducted_deposits: InvoiceFields.deducted_deposits.optional().openapi({
      description:
        "Replaces the list of deposit invoices this draft deducts (`[]` deducts none): deposits added are reserved for this draft, those removed are released. Same checks as on create.",
    }),
  })
  .superRefine((input, issue) => {
    if (input.service_date != null && input.service_period != null) {
      issue.addIssue({ code: "custom", path: ["service_period"], message: "give service_date (one day) or service_period (a period), not both" });
    }
  })
  .openapi("InvoiceUpdate", { example: { due_date: "2026-12-31", payment_terms: "Paiement à 30 jours fin de mois" } });

/**
 * Drafts only: an issued invoice is a legal document and changes only through payments or a
 * credit note (409). Guarded on the version read, so a concurrent issue or edit wins cleanly.
 * A new `deducted_deposits` list reserves the deposits added and releases those removed in the
 * same batch, guarded as on create.
 */
export async function updateInvoice({
  ctx,
  organizationId: scope,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof UpdateInvoiceInput>;
}) {
  const { row: before } = await findInvoice(ctx, scope, id);
  // The invoice's own organization (X-Entity-Id is optional here): what the batch writes and checks.
  const organizationId = before.organization_id;
  if (before.status !== "draft") {
    throw new Conflict(`Invoice ${before.invoice_number} is ${before.status}: only drafts can be edited; cancel it with a credit note instead.`, "invoice_not_draft");
  }
  requireDepartmentId(input.department_id);
  const payer = await editPayer(ctx.env.ENCRYPTION_KEY, id, before.payer_encrypted, input.payer, INVOICE_PAYER);
  const amounts = input.line_items ? draftAmounts(input.line_items) : null;
  requireStandardToDeduct(before.type, input.deducted_deposits);
  const depositsBefore = depositIds(before);
  const deposits = input.deducted_deposits === undefined
    ? { deposits: before.deducted_deposits ?? [], amount: before.deposits_amount }
    : await resolveDeposits(ctx, organizationId, id, input.deducted_deposits);
  const depositsAfter = deposits.deposits.map((d) => d.invoice_id);
  const totalAfter = amounts?.total_amount ?? before.total_amount;
  requireDepositsBelowTotal(deposits.amount, totalAfter);
  // A day or a period: setting one clears the other.
  const supplyDate =
    input.service_date != null ? { service_date: input.service_date, service_period: null }
    : input.service_period != null ? { service_date: null, service_period: input.service_period }
    : {
        service_date: input.service_date === undefined ? before.service_date : null,
        service_period: input.service_period === undefined ? before.service_period : null,
      };
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
    ...payer.columns,
    ...(amounts ? amounts : {}),
    deducted_deposits: deposits.deposits.length > 0 ? deposits.deposits : null,
    deposits_amount: deposits.amount,
    amount_due: totalAfter - deposits.amount,
    ...supplyDate,
    operation_category: input.operation_category ?? before.operation_category,
    due_date: dueDate,
    payment_terms: input.payment_terms === undefined ? before.payment_terms : input.payment_terms,
    vat_exemption_reason: input.vat_exemption_reason === undefined ? before.vat_exemption_reason : input.vat_exemption_reason,
    metadata: input.metadata ?? before.metadata,
    warnings,
    version: before.version + 1,
    updated_at: ctx.now,
  };
  const presentedBefore = presentInvoiceWith(before, payer.before);
  const presentedAfter = presentInvoiceWith(after, payer.after);
  const changed = diff(auditedInvoice(presentedBefore), { ...auditedInvoice(presentedAfter), version: before.version, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0 && !payer.changed) return presentedBefore;

  const unchanged = and(invoiceWhere(ctx, organizationId, id), eq(invoices.status, "draft"), eq(invoices.version, before.version));
  const departmentOk = departmentIsTheOrganizations(ctx, organizationId, after.department_id);
  const depositsOk = depositsReservable(ctx, organizationId, id, depositsAfter);
  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${unchanged}) AND ${departmentOk} AND ${depositsOk}`;
  const { id: _id, partner_id: _p, livemode: _l, organization_id: _o, created_at: _c, ...settable } = after;
  // The deposits' statements read the draft's version in their guard: they go before its update.
  const depositStatements = [
    ...releaseDeposits(ctx, organizationId, id, depositsBefore.filter((d) => !depositsAfter.includes(d)), guard),
    ...reserveDeposits(ctx, organizationId, id, depositsAfter.filter((d) => !depositsBefore.includes(d)), guard),
  ];
  const results = await ctx.db.batch([
    auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "updated", ...changed }, guard),
    ...depositStatements,
    ctx.db.update(invoices).set(settable).where(and(unchanged, departmentOk, depositsOk)),
  ]);
  if (changes(results[results.length - 1]) === 0) {
    // A deposit taken or refunded in the meantime explains it with its own 422.
    await resolveDeposits(ctx, organizationId, id, depositsAfter);
    await explainDepartment(ctx, organizationId, input.department_id, before.department_id);
    throw new Conflict("The invoice changed while this edit was made (issued, cancelled or edited); read it again and retry.", "concurrent_update");
  }
  return presentedAfter;
}
