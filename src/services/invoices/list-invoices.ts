import { and, count, desc, eq, gte, inArray, lt, lte } from "drizzle-orm";
import { invoices, organizations } from "../../db/schema";
import type { InvoiceStatus } from "../../domain/invoice-status";
import { NotFound } from "../../lib/errors";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { payerEmailHashes } from "./payer";
import { presentInvoice } from "./present";
import { scoped } from "../tenancy";

export interface InvoiceFilters {
  status?: InvoiceStatus | undefined;
  department_id?: string | undefined;
  payer_email?: string | undefined;
  /** Due on or before this date. */
  due_before?: string | undefined;
  /** Due on or after this date. */
  due_after?: string | undefined;
  /** Created at or after this instant. */
  created_from?: string | undefined;
  /** Created before this instant. */
  created_to?: string | undefined;
  number?: string | undefined;
}

/** Newest first; the organization check, the page and the count in one round trip. */
export async function listInvoices({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: InvoiceFilters & { page: number; pageSize: number; offset: number };
}) {
  const emailHashes = input.payer_email ? await payerEmailHashes(ctx.env.ENCRYPTION_KEY, input.payer_email) : undefined;
  const where = and(
    scoped(ctx, invoices, organizationId),
    input.status ? eq(invoices.status, input.status) : undefined,
    input.department_id ? eq(invoices.department_id, input.department_id) : undefined,
    emailHashes ? inArray(invoices.payer_email_hash, emailHashes) : undefined,
    input.due_before ? lte(invoices.due_date, input.due_before) : undefined,
    input.due_after ? gte(invoices.due_date, input.due_after) : undefined,
    input.created_from ? gte(invoices.created_at, input.created_from) : undefined,
    input.created_to ? lt(invoices.created_at, input.created_to) : undefined,
    input.number ? eq(invoices.invoice_number, input.number) : undefined,
  );
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(invoices).where(where).orderBy(desc(invoices.created_at), desc(invoices.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(invoices).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  const data = await Promise.all(rows.map((r) => presentInvoice(ctx.env.ENCRYPTION_KEY, r)));
  return { data, pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}
