import { z } from "@hono/zod-openapi";
import { and, desc, getTableColumns, gte, inArray, lte, sql } from "drizzle-orm";
import { creditNotes, invoices } from "../../db/schema";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { CalendarDate, DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { payerEmailHashes } from "./payer";
import { presentInvoice, type CreditNoteSummary } from "./present";
import { scoped } from "../tenancy";

export const ListInvoicesInput = PaginationQuery.extend({
  status: z.enum(INVOICE_STATUSES).optional(),
  department_id: z.string().max(100).optional(),
  payer_email: z.string().max(254).optional().openapi({ description: "Exact payer email (case-insensitive).", example: "jean.dupont@example.com" }),
  due_before: CalendarDate.optional().openapi({ description: "Due on or before this date." }),
  due_after: CalendarDate.optional().openapi({ description: "Due on or after this date." }),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
  number: z.string().max(50).optional().openapi({ description: "Exact invoice number.", example: "FAC-2026-00001" }),
});

/** The list's filters (tenancy apart): shared with the CSV export, so both select the same invoices. */
export async function invoiceListFilters(ctx: ServiceContext, input: Omit<z.infer<typeof ListInvoicesInput>, "page" | "page_size" | "limit">) {
  const emailHashes = input.payer_email ? await payerEmailHashes(ctx.env.ENCRYPTION_KEY, input.payer_email) : undefined;
  return and(
    ...equalTo(input, { status: invoices.status, department_id: invoices.department_id, number: invoices.invoice_number }),
    emailHashes ? inArray(invoices.payer_email_hash, emailHashes) : undefined,
    input.due_before ? lte(invoices.due_date, input.due_before) : undefined,
    input.due_after ? gte(invoices.due_date, input.due_after) : undefined,
    within(invoices.created_at, input.created_from, input.created_to),
  );
}

/** Newest first; the organization check, the page and the count in one round trip. */
export async function listInvoices({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListInvoicesInput> }) {
  const where = and(scoped(ctx, invoices, organizationId), await invoiceListFilters(ctx, input));
  // Each invoice's credit notes ride in the page's own query, so the list stays one round trip. The
  // outer invoice is named in full: drizzle leaves a one-table select's columns unqualified, which
  // inside this subquery would read as the credit note's own.
  const notes = sql<string>`(SELECT json_group_array(json_object('id', ${creditNotes.id}, 'credit_note_number', ${creditNotes.credit_note_number}, 'type', ${creditNotes.type},
      'refund_id', ${creditNotes.refund_id}, 'total_amount', ${creditNotes.total_amount}, 'issued_at', ${creditNotes.issued_at}))
    FROM ${creditNotes} WHERE ${creditNotes.invoice_id} = ${sql.identifier("invoices")}.${sql.identifier("id")} AND ${scoped(ctx, creditNotes, organizationId)})`;
  const rows = ctx.db
    .select({ ...getTableColumns(invoices), credit_notes: notes })
    .from(invoices)
    .where(where)
    .orderBy(desc(invoices.created_at), desc(invoices.id));
  return listPage(ctx, input, { rows, from: invoices, where, parent: organizationParent(ctx, organizationId) }, ({ credit_notes, ...row }) => {
    const summaries = (JSON.parse(credit_notes) as CreditNoteSummary[]).sort((a, b) => a.issued_at.localeCompare(b.issued_at) || a.id.localeCompare(b.id));
    return presentInvoice(ctx.env.ENCRYPTION_KEY, row, null, summaries);
  });
}
