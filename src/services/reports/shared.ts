import { z } from "@hono/zod-openapi";
import { and, eq, getTableName, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { invoices, payments } from "../../db/schema";
import type { ReportBucket } from "../../domain/report-periods";
import { scoped, type OrganizationScope } from "../tenancy";
import type { ServiceContext } from "../context";

/** The figures of the reports are per currency: invoices are in euros, payment requests may not be. */
export const ReportCurrency = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in capitals, such as EUR")
  .default("EUR")
  .openapi({ description: "The currency reported (ISO 4217); figures in other currencies are left out. Default `EUR`.", example: "EUR" });

/** A ledger payment's invoice, joined to find its department; scoped like the payment (one organization, or every one of the partner's). */
export function paymentInvoiceJoin(ctx: ServiceContext, scope: OrganizationScope): SQL {
  return and(eq(invoices.id, payments.invoice_id), scoped(ctx, invoices, scope))!;
}

/**
 * A payment's department: its own (an offline payment's) or its invoice's. A payment request's
 * payment (no invoice, no department) has none.
 */
export const paymentDepartment = sql<string | null>`COALESCE(${payments.department_id}, ${invoices.department_id})`;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The index of the bucket an instant falls in, as SQL. The bounds are instants we computed
 * (checked here) and are inlined rather than bound: a year of days would exceed D1's 100 bound
 * parameters. Timestamps are stored as `toISOString()`, so text order is time order.
 */
export function bucketIndex(column: SQLiteColumn, buckets: readonly ReportBucket[]): SQL<number> {
  // One raw chunk, not a fragment per bucket: a month is 31 WHENs, twice per query (select and
  // group by), and drizzle walks every fragment of every statement on every request.
  const target = `"${getTableName(column.table)}"."${column.name}"`;
  const whens = buckets.map((b, i) => {
    if (!INSTANT.test(b.endExclusive)) throw new Error(`Not an instant: ${b.endExclusive}`);
    return `WHEN ${target} < '${b.endExclusive}' THEN ${i}`;
  });
  return sql<number>`${sql.raw(`(CASE ${whens.join(" ")} END)`)}`;
}

/** `SUM(column)`, 0 over no rows, read as a number. */
export function total(column: SQLiteColumn): SQL<number> {
  return sql<number>`COALESCE(SUM(${column}), 0)`.mapWith(Number);
}
