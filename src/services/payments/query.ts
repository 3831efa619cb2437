import { z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns, gte, lte, sql, type SQL } from "drizzle-orm";
import { invoices, payments } from "../../db/schema";
import { NotFound, ValidationError } from "../../lib/errors";
import { LEDGER_PAYMENT_METHODS, PAYMENT_STATUSES, paymentSource } from "../../domain/payment";
import { CentsQuery, DateBound, PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { sameTenant, scoped, type OrganizationScope } from "../tenancy";

export type PaymentRow = typeof payments.$inferSelect;

/** Any method a ledger payment can have: online (`sepa_credit`, `card`) or recorded at the counter. */
export const LedgerPaymentMethodSchema = z.enum(LEDGER_PAYMENT_METHODS).openapi({ example: "cheque" });

/**
 * A ledger entry: money collected on an invoice or a payment request (seed 002's payment, in our
 * conventions), online or recorded at the counter. Its department is its own, else its invoice's
 * (`invoiceDepartmentId`, read with it); a request's payment without one belongs to none.
 */
export function presentPayment(row: PaymentRow, invoiceDepartmentId: string | null = null) {
  return {
    id: row.id,
    object: "payment" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    source: paymentSource(row.method),
    invoice_id: row.invoice_id,
    department_id: row.department_id ?? invoiceDepartmentId,
    payment_intent_id: row.payment_intent_id,
    payment_link_id: row.payment_link_id,
    amount: row.amount,
    refunded_amount: row.refunded_amount,
    currency: row.currency,
    method: row.method,
    status: row.status,
    reference: row.reference,
    note: row.note,
    paid_at: row.paid_at,
    voided_at: row.voided_at,
    void_reason: row.void_reason,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

type PaymentWithDepartment = PaymentRow & { invoice_department_id: string | null };
const presentRow = ({ invoice_department_id, ...row }: PaymentWithDepartment) => presentPayment(row, invoice_department_id);

/** The organization's payments matching `filter`, with their invoice's department (a left join: a request's payment has no invoice). */
function selectPayments(ctx: ServiceContext, organizationId: OrganizationScope, filter: SQL | undefined) {
  return ctx.db
    .select({ ...getTableColumns(payments), invoice_department_id: invoices.department_id })
    .from(payments)
    .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, organizationId)))
    .where(and(scoped(ctx, payments, organizationId), filter));
}

function paymentWhere(ctx: ServiceContext, organizationId: string) {
  return scoped(ctx, payments, organizationId);
}

export async function getPayment({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("payment", id)) throw new NotFound("payment", id, "id");
  const [row] = await selectPayments(ctx, organizationId, eq(payments.id, id));
  if (!row) throw new NotFound("payment", id, "id");
  return presentRow(row);
}

const Cents = (description: string) => CentsQuery({ min: 0, max: 100_000_000_000 }).optional().openapi({ description, example: 10000 });

export const ListPaymentsInput = PaginationQuery.extend({
  status: z.enum(PAYMENT_STATUSES).optional(),
  invoice_id: z.string().max(100).optional(),
  method: LedgerPaymentMethodSchema.optional(),
  department_id: z.string().max(100).optional().openapi({ description: "The department credited: the payment's own, else its invoice's.", example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  from_date: DateBound.optional().openapi({ description: "Paid at or after (instant, or Paris date).", example: "2026-01-01" }),
  to_date: DateBound.optional().openapi({ description: "Paid on or before (a Paris date covers the whole day).", example: "2026-03-31" }),
  min_amount: Cents("Amount received at least this, in cents (inclusive)."),
  max_amount: Cents("Amount received at most this, in cents (inclusive)."),
});

/** The list's filters (tenancy apart): shared with the CSV export, so both select the same payments. */
export function paymentListFilters(input: Omit<z.infer<typeof ListPaymentsInput>, "page" | "page_size" | "limit">) {
  if (input.min_amount !== undefined && input.max_amount !== undefined && input.min_amount > input.max_amount) {
    throw new ValidationError(`max_amount (${input.max_amount}) is below min_amount (${input.min_amount}).`, "max_amount");
  }
  return and(
    ...equalTo(input, { status: payments.status, invoice_id: payments.invoice_id, method: payments.method }),
    input.department_id !== undefined ? ofDepartment(input.department_id) : undefined,
    input.min_amount !== undefined ? gte(payments.amount, input.min_amount) : undefined,
    input.max_amount !== undefined ? lte(payments.amount, input.max_amount) : undefined,
    within(payments.paid_at, input.from_date, input.to_date),
  );
}

/** Payments credited to a department: their own department, else (online payments recorded before issue 14) their invoice's. */
function ofDepartment(departmentId: string) {
  // tenancy-exempt: correlated to the payment row, which the caller's query scopes; the invoice must share its tenant (sameTenant).
  return sql`(${payments.department_id} = ${departmentId} OR (${payments.department_id} IS NULL AND EXISTS (SELECT 1 FROM ${invoices} WHERE ${invoices.id} = ${payments.invoice_id} AND ${invoices.department_id} = ${departmentId} AND ${sameTenant(invoices, payments)})))`;
}

/** Newest first by payment date. */
export async function listPayments({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListPaymentsInput> }) {
  const filters = paymentListFilters(input);
  const where = and(paymentWhere(ctx, organizationId), filters);
  const rows = selectPayments(ctx, organizationId, filters).orderBy(desc(payments.paid_at), desc(payments.id));
  return listPage(ctx, input, { rows, from: payments, where, parent: organizationParent(ctx, organizationId) }, presentRow);
}

/** Every payment of one invoice (partial payments add up; voided ones shown, not counted), oldest first. 404 for a foreign invoice. */
export async function listInvoicePayments({ ctx, organizationId, invoiceId }: { ctx: ServiceContext; organizationId: OrganizationScope; invoiceId: string }) {
  if (!isId("invoice", invoiceId)) throw new NotFound("invoice", invoiceId, "id");
  const [inv, rows] = await ctx.db.batch([
    ctx.db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId))),
    selectPayments(ctx, organizationId, eq(payments.invoice_id, invoiceId)).orderBy(payments.paid_at, payments.id),
  ]);
  if (inv.length === 0) throw new NotFound("invoice", invoiceId, "id");
  return { data: rows.map(presentRow) };
}
