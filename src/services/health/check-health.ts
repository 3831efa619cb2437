import { getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../../db/schema";
import type { StorageTimer } from "../../lib/timing";

/** Every table the code reads or writes: those of the drizzle schema, so a new one is expected the day it is declared. */
export const EXPECTED_TABLES: readonly string[] = (Object.values(schema) as unknown[])
  .filter((value): value is SQLiteTable => is(value, SQLiteTable))
  .map((table) => getTableName(table))
  .sort();

/** Written by `wrangler d1 migrations apply` (and the test setup's applyD1Migrations): one row per applied file. */
const MIGRATIONS_TABLE = "d1_migrations";

export type HealthReport =
  | { status: "ok"; database: "ok"; schema_version: string | null }
  | { status: "degraded"; database: "unreachable" | "schema_incomplete"; schema_version: string | null; missing_tables: string[] };

/**
 * Whether D1 answers and holds the schema this code expects. `SELECT 1` alone said "ok" on a
 * database whose migrations were never applied, while every API call failed. The schema version
 * is the last migration applied. One round trip when healthy: the table list and the version in
 * one batch; if the migrations table itself is missing, the table list alone.
 */
export async function checkHealth({ db, timer, expectedTables = EXPECTED_TABLES }: { db: D1Database; timer: StorageTimer; expectedTables?: readonly string[] }): Promise<HealthReport> {
  const tablesQuery = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  let tables: string[];
  let version: string | null = null;
  try {
    try {
      const [listed, applied] = await timer.measure("d1", "batch(2)", () =>
        db.batch<{ name: string }>([tablesQuery, db.prepare(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1`)]),
      );
      tables = listed!.results.map((r) => r.name);
      version = applied!.results[0]?.name ?? null;
    } catch {
      // No migrations table (never migrated, or migrated by hand): the table list still says what is missing.
      tables = (await timer.measure("d1", "select", () => tablesQuery.all<{ name: string }>())).results.map((r) => r.name);
    }
  } catch {
    return { status: "degraded", database: "unreachable", schema_version: null, missing_tables: [] };
  }
  const present = new Set(tables);
  const missing = expectedTables.filter((t) => !present.has(t));
  if (missing.length) return { status: "degraded", database: "schema_incomplete", schema_version: version, missing_tables: missing };
  return { status: "ok", database: "ok", schema_version: version };
}
