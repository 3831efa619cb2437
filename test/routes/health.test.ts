import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { EXPECTED_TABLES } from "../../src/services/health/check-health";
import { call } from "../helpers/harness";

/**
 * GET /health as an operator's monitor reads it: the schema version, and `degraded` (503) when
 * the database lacks tables the code uses, e.g. migrations never applied (issue 10 §8). Tables
 * are renamed away inside a test and always put back after it.
 */

const renamed: [from: string, to: string][] = [];

async function renameAway(table: string) {
  await env.DB.prepare(`ALTER TABLE "${table}" RENAME TO "${table}_away"`).run();
  renamed.push([`${table}_away`, table]);
}

afterEach(async () => {
  for (const [from, to] of renamed.splice(0).reverse()) await env.DB.prepare(`ALTER TABLE "${from}" RENAME TO "${to}"`).run();
});

const LATEST_MIGRATION = env.TEST_MIGRATIONS.map((m) => m.name).sort().at(-1);

describe("GET /health", () => {
  it("reports ok with the schema version (the last migration applied), in one D1 round trip", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", database: "ok", schema_version: LATEST_MIGRATION, time: expect.any(String) });
    expect(LATEST_MIGRATION).toMatch(/^\d{4}_\w+\.sql$/);
    expect(res.headers.get("server-timing")).toContain('storage;desc="sequential round trips";dur=1');
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("expects every table of the drizzle schema", () => {
    expect(EXPECTED_TABLES).toEqual(expect.arrayContaining(["partners", "credentials", "organizations", "invoices", "payment_intents", "refunds", "events", "webhook_deliveries", "idempotency_keys"]));
  });

  it("a missing table → 503 degraded, schema_incomplete, naming it", async () => {
    await renameAway("webhook_delivery_attempts");
    const res = await call("/health");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: "degraded",
      database: "schema_incomplete",
      schema_version: LATEST_MIGRATION,
      missing_tables: ["webhook_delivery_attempts"],
      time: expect.any(String),
    });
  });

  it("no migrations recorded but every table there → ok, schema_version null", async () => {
    await renameAway("d1_migrations");
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", database: "ok", schema_version: null });
  });

  it("neither the migrations table nor the tables (never migrated) → 503 degraded, schema_version null", async () => {
    await renameAway("d1_migrations");
    await renameAway("refunds");
    await renameAway("payments");
    const res = await call("/health");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: "degraded", database: "schema_incomplete", schema_version: null, missing_tables: ["payments", "refunds"] });
  });

  it("the 503 and its body are documented", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    const op = doc.paths["/health"].get;
    expect(Object.keys(op.responses).sort()).toEqual(["200", "503"]);
    const degraded = doc.components.schemas.HealthDegraded;
    expect(degraded.required).toEqual(expect.arrayContaining(["status", "database", "schema_version", "missing_tables", "time"]));
  });
});
