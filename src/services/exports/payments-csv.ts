import type { z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns } from "drizzle-orm";
import { invoices, payments } from "../../db/schema";
import { paymentSource } from "../../domain/payment";
import type { ServiceContext } from "../context";
import { ListPaymentsInput, paymentListFilters, type PaymentRow } from "../payments/query";
import { scoped } from "../tenancy";
import { CsvSeparatorQuery, csvStream, olderThan, organizationPages, type CsvColumn } from "./csv";

/** GET /v1/payments's filters (its page parameters apart: the export has every row), and the separator. */
export const ExportPaymentsInput = ListPaymentsInput.omit({ page: true, page_size: true, limit: true }).extend({ separator: CsvSeparatorQuery });

type PaymentCsvRow = PaymentRow & { invoice_number: string | null; invoice_department_id: string | null };

export const PAYMENT_CSV_COLUMNS: readonly CsvColumn<PaymentCsvRow>[] = [
  { header: "id", description: "payment id", value: (p) => p.id },
  { header: "paid_at", description: "when the money was received (initiated, for a pending or failed payment), ISO 8601 UTC", value: (p) => p.paid_at },
  { header: "paid_date", description: "the same day, YYYY-MM-DD in Europe/Paris", value: (p, f) => f.parisDate(p.paid_at) },
  { header: "status", description: "payment status", value: (p) => p.status },
  { header: "source", description: "`online` (through a payment link) or `offline` (recorded at the counter)", value: (p) => paymentSource(p.method) },
  { header: "method", description: "`sepa_credit`, `card`, `cash`, `cheque`, `bank_transfer` or `other`", value: (p) => p.method },
  { header: "amount", description: "amount received, in units of the currency", value: (p, f) => f.amount(p.amount) },
  { header: "refunded", description: "refunded so far", value: (p, f) => f.amount(p.refunded_amount) },
  { header: "currency", description: "ISO 4217 currency", value: (p) => p.currency },
  { header: "invoice_id", description: "the invoice paid (empty for a payment request without invoice)", value: (p) => p.invoice_id },
  { header: "invoice_number", description: "its number", value: (p) => p.invoice_number },
  { header: "department_id", description: "the department credited: the payment's own, else its invoice's", value: (p) => p.department_id ?? p.invoice_department_id },
  { header: "reference", description: "cheque number or transfer label (offline payments)", value: (p, f) => f.text(p.reference) },
  { header: "payment_intent_id", description: "the payment intent (online payments)", value: (p) => p.payment_intent_id },
  { header: "payment_link_id", description: "the payment link (online payments)", value: (p) => p.payment_link_id },
];

const PAGE_SIZE = 500;

/**
 * Every payment GET /v1/payments would list with the same filters, newest first, as CSV pages.
 * The organization check rides with the first page (404 before any byte is sent); later pages
 * are read with a keyset on (paid_at, id) as the stream is consumed.
 */
export async function exportPaymentsCsv({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ExportPaymentsInput> }) {
  const filters = paymentListFilters(input);
  const pages = await organizationPages<PaymentCsvRow>(ctx, organizationId, PAGE_SIZE, (after, limit) =>
    ctx.db
      .select({ ...getTableColumns(payments), invoice_number: invoices.invoice_number, invoice_department_id: invoices.department_id })
      .from(payments)
      .leftJoin(invoices, and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, organizationId)))
      .where(and(scoped(ctx, payments, organizationId), filters, olderThan(payments.paid_at, payments.id, after && { at: after.paid_at, id: after.id })))
      .orderBy(desc(payments.paid_at), desc(payments.id))
      .limit(limit),
  );
  return csvStream(PAYMENT_CSV_COLUMNS, input.separator, pages);
}
