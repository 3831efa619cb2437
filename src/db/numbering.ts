import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { invoiceCounters } from "./schema";
import { SERIES, type Series } from "../domain/numbering";

/**
 * Gap-free numbering inside one D1 batch (a transaction): the counter row is incremented only
 * if the document's guard holds, and the number is read back from the counter by the statements
 * after it in the same batch. D1 runs batches one at a time, so concurrent issues get
 * consecutive numbers, and a batch that fails leaves no gap (it rolls back whole). Here, in db/,
 * because the services (issue, cancel) and the payment intents' projection (a price reduction's
 * credit note) number documents in the same series.
 */
export function incrementCounter(db: Db, organizationId: string, series: Series, year: number, guard: SQL) {
  return db
    .insert(invoiceCounters)
    .select(sql`SELECT ${organizationId}, ${series}, ${year}, 1 WHERE ${guard}`)
    .onConflictDoUpdate({
      target: [invoiceCounters.organization_id, invoiceCounters.series, invoiceCounters.year],
      set: { last_number: sql`${invoiceCounters.last_number} + 1` },
    });
}

/** The document number as an SQL expression, e.g. 'FAC-2026-00042' (formatNumber's SQL twin). */
export function numberExpression(organizationId: string, series: Series, year: number): SQL {
  const { prefix, width } = SERIES[series];
  return sql`(${`${prefix}-${year}-`} || printf(${`%0${width}d`}, (SELECT ${invoiceCounters.last_number} FROM ${invoiceCounters} WHERE ${invoiceCounters.organization_id} = ${organizationId} AND ${invoiceCounters.series} = ${series} AND ${invoiceCounters.year} = ${year})))`;
}
