import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { invoiceCounters } from "../../db/schema";
import type { Series } from "../../domain/numbering";

// Shared with the payment intents' projection (a price reduction's credit note): they live in db/.
export { incrementCounter, numberExpression } from "../../db/numbering";

/**
 * The last number given in a series (0 before the first). An issue that must know its number
 * before its batch (to put it in a document whose hash the batch records) predicts last + 1 and
 * makes its batch conditional on `counterStill(…, last)`: a concurrent issue in between makes it
 * change nothing, and it tries again with the next number — still gap-free.
 */
export function counterValue(db: Db, organizationId: string | SQL<string>, series: Series, year: number) {
  // tenancy-exempt: counters are keyed by the organization, whose tenant the caller has checked
  // (or a subquery of the tenant-filtered object it numbers: tenancy.ts organizationOfObject).
  return db
    .select({ last: invoiceCounters.last_number })
    .from(invoiceCounters)
    .where(sql`${invoiceCounters.organization_id} = ${organizationId} AND ${invoiceCounters.series} = ${series} AND ${invoiceCounters.year} = ${year}`);
}

export function counterStill(organizationId: string, series: Series, year: number, last: number): SQL {
  return sql`coalesce((SELECT ${invoiceCounters.last_number} FROM ${invoiceCounters} WHERE ${invoiceCounters.organization_id} = ${organizationId} AND ${invoiceCounters.series} = ${series} AND ${invoiceCounters.year} = ${year}), 0) = ${last}`;
}
