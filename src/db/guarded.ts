import { getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `INSERT INTO t (…) SELECT … WHERE <guard>`: an insert that happens only if its precondition
 * holds, checked inside the same D1 batch (D1 has no interactive transactions). A value may be
 * an SQL expression (e.g. "default if it is the first account"). Read `meta.changes` (0 or 1)
 * from the batch result to learn whether the guard held.
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, values: T["$inferInsert"], guard: SQL) {
  // drizzle's insert…select lists every column in table order, so the SELECT does too.
  const exprs = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const value = (values as Record<string, unknown>)[key];
    if (is(value, SQL)) return value;
    if (value === undefined || value === null) return sql`NULL`;
    return sql`${column.mapToDriverValue(value)}`;
  });
  return db.insert(table).select(sql`SELECT ${sql.join(exprs, sql`, `)} WHERE ${guard}`);
}

/** Rows written by a `db.run` statement of a batch. */
export function changes(result: unknown): number {
  return (result as { meta?: { changes?: number } }).meta?.changes ?? 0;
}

/** True when a D1 error is a UNIQUE constraint violation (e.g. a department code taken). */
export function isUniqueViolation(err: unknown, index?: string): boolean {
  const text = String((err as { message?: string })?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
  return /UNIQUE constraint failed/i.test(text) && (!index || text.includes(index));
}
