import { drizzle } from "drizzle-orm/d1";

/**
 * A drizzle client over a D1 database or session. Built per request (each request has its own
 * D1 session and timer), so it must cost nothing: no `schema` is given, because drizzle then
 * re-derives the relational config of every table (`extractTablesRelationalConfig`) and builds
 * a relational query builder per table on each call — about a tenth of a write's CPU in the
 * profile (`npm run profile:cpu`). We never use the relational API (`db.query.*`); queries name
 * their tables (`db.select().from(invoices)`), which needs no schema.
 */
export function createDb(d1: D1Database) {
  return drizzle(d1);
}

export type Db = ReturnType<typeof createDb>;
