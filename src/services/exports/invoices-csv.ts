import type { z } from "@hono/zod-openapi";
import { and, desc } from "drizzle-orm";
import { invoices } from "../../db/schema";
import type { ServiceContext } from "../context";
import { invoiceListFilters, ListInvoicesInput } from "../invoices/list-invoices";
import { unsealPayer, type Payer } from "../invoices/payer";
import type { InvoiceRow } from "../invoices/present";
import { scoped } from "../tenancy";
import { CsvSeparatorQuery, csvStream, olderThan, organizationPages, type CsvColumn } from "./csv";

/** GET /v1/invoices's filters (its page parameters apart: the export has every row), and the separator. */
export const ExportInvoicesInput = ListInvoicesInput.omit({ page: true, page_size: true, limit: true }).extend({ separator: CsvSeparatorQuery });

// Only what the columns show (and the sealed payer): an invoice's lines and mentions stay in D1.
const columns = {
  id: invoices.id,
  invoice_number: invoices.invoice_number,
  type: invoices.type,
  status: invoices.status,
  department_id: invoices.department_id,
  issued_at: invoices.issued_at,
  due_date: invoices.due_date,
  payer_encrypted: invoices.payer_encrypted,
  currency: invoices.currency,
  subtotal_amount: invoices.subtotal_amount,
  tax_amount: invoices.tax_amount,
  total_amount: invoices.total_amount,
  deposits_amount: invoices.deposits_amount,
  credited_amount: invoices.credited_amount,
  amount_paid: invoices.amount_paid,
  amount_due: invoices.amount_due,
  paid_at: invoices.paid_at,
  created_at: invoices.created_at,
};
type Row = Pick<InvoiceRow, keyof typeof columns>;
type InvoiceCsvRow = { invoice: Row; payer: Payer };

export const INVOICE_CSV_COLUMNS: readonly CsvColumn<InvoiceCsvRow>[] = [
  { header: "id", description: "invoice id", value: ({ invoice }) => invoice.id },
  { header: "number", description: "invoice number (empty on a draft)", value: ({ invoice }) => invoice.invoice_number },
  { header: "type", description: "`standard` or `deposit`", value: ({ invoice }) => invoice.type },
  { header: "status", description: "invoice status", value: ({ invoice }) => invoice.status },
  { header: "department_id", description: "the department (régie, service) that issued it", value: ({ invoice }) => invoice.department_id },
  { header: "issue_date", description: "issue date, YYYY-MM-DD in Europe/Paris (empty on a draft)", value: ({ invoice }, f) => f.parisDate(invoice.issued_at) },
  { header: "due_date", description: "due date, YYYY-MM-DD", value: ({ invoice }) => invoice.due_date },
  { header: "payer_name", description: "the payer's name", value: ({ payer }, f) => f.text(payer.name) },
  { header: "payer_email", description: "the payer's email", value: ({ payer }, f) => f.text(payer.email) },
  { header: "currency", description: "ISO 4217 currency", value: ({ invoice }) => invoice.currency },
  { header: "subtotal", description: "total excluding VAT (HT), in units of the currency", value: ({ invoice }, f) => f.amount(invoice.subtotal_amount) },
  { header: "tax", description: "VAT", value: ({ invoice }, f) => f.amount(invoice.tax_amount) },
  { header: "total", description: "total including VAT (TTC)", value: ({ invoice }, f) => f.amount(invoice.total_amount) },
  { header: "deposits", description: "deposit invoices deducted", value: ({ invoice }, f) => f.amount(invoice.deposits_amount) },
  { header: "credited", description: "partial credit notes (price reductions)", value: ({ invoice }, f) => f.amount(invoice.credited_amount) },
  { header: "amount_paid", description: "paid so far", value: ({ invoice }, f) => f.amount(invoice.amount_paid) },
  { header: "amount_due", description: "still due", value: ({ invoice }, f) => f.amount(invoice.amount_due) },
  { header: "paid_date", description: "date fully paid, YYYY-MM-DD in Europe/Paris", value: ({ invoice }, f) => f.parisDate(invoice.paid_at) },
  { header: "created_at", description: "creation instant (ISO 8601, UTC)", value: ({ invoice }) => invoice.created_at },
];

const PAGE_SIZE = 200;

/**
 * Every invoice GET /v1/invoices would list with the same filters, newest first, as CSV pages.
 * The organization check rides with the first page (404 before any byte is sent); later pages
 * are read with a keyset on (created_at, id) as the stream is consumed.
 */
export async function exportInvoicesCsv({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ExportInvoicesInput> }) {
  const filters = await invoiceListFilters(ctx, input);
  const pages = await organizationPages<Row>(ctx, organizationId, PAGE_SIZE, (after, limit) =>
    ctx.db
      .select(columns)
      .from(invoices)
      .where(and(scoped(ctx, invoices, organizationId), filters, olderThan(invoices.created_at, invoices.id, after && { at: after.created_at, id: after.id })))
      .orderBy(desc(invoices.created_at), desc(invoices.id))
      .limit(limit),
  );

  const key = ctx.env.ENCRYPTION_KEY;
  async function* rows() {
    for await (const chunk of pages) {
      yield await Promise.all(chunk.map(async (invoice) => ({ invoice, payer: await unsealPayer(key, invoice.id, invoice.payer_encrypted) })));
    }
  }
  return csvStream(INVOICE_CSV_COLUMNS, input.separator, rows());
}
