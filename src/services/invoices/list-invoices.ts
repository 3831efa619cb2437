import { z } from "@hono/zod-openapi";
import { and, desc, gte, inArray, lte } from "drizzle-orm";
import { invoices } from "../../db/schema";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { CalendarDate, DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { payerEmailHashes } from "./payer";
import { presentInvoice } from "./present";
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

/** Newest first; the organization check, the page and the count in one round trip. */
export async function listInvoices({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListInvoicesInput> }) {
  const emailHashes = input.payer_email ? await payerEmailHashes(ctx.env.ENCRYPTION_KEY, input.payer_email) : undefined;
  const where = and(
    scoped(ctx, invoices, organizationId),
    ...equalTo(input, { status: invoices.status, department_id: invoices.department_id, number: invoices.invoice_number }),
    emailHashes ? inArray(invoices.payer_email_hash, emailHashes) : undefined,
    input.due_before ? lte(invoices.due_date, input.due_before) : undefined,
    input.due_after ? gte(invoices.due_date, input.due_after) : undefined,
    within(invoices.created_at, input.created_from, input.created_to),
  );
  const rows = ctx.db.select().from(invoices).where(where).orderBy(desc(invoices.created_at), desc(invoices.id));
  return listPage(ctx, input, { rows, from: invoices, where, parent: organizationParent(ctx, organizationId) }, (row) => presentInvoice(ctx.env.ENCRYPTION_KEY, row));
}
