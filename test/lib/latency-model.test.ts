import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { invoices } from "../../src/db/schema";
import type { Env } from "../../src/env";
import { parseLatencyModel, withLatencyModel } from "../../src/lib/latency-model";
import { call, DEPLOYED } from "../helpers/harness";

/**
 * The bench's latency model (issue 16 §1): with BENCH_LATENCY_MODEL under ENVIRONMENT=development
 * every D1 round trip and Durable Object call takes the modeled latency; anywhere else the variable
 * changes nothing, so a deployed worker can never be slowed by it.
 */

const MODEL = "d1=50,do=10";

/** The test worker's env as `wrangler dev --var BENCH_LATENCY_MODEL:… --var ENVIRONMENT:…` makes it. */
const benchEnv = (more: Record<string, unknown> = {}) => ({ ...env, BENCH_LATENCY_MODEL: MODEL, ...more }) as Env;

/** Wall time of `run` (workerd's clock moves on I/O and timers, which is what is measured here). */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = Date.now();
  const value = await run();
  return { ms: Date.now() - t0, value };
}

describe("parseLatencyModel", () => {
  it("reads d1= and do= in milliseconds, a missing key being 0", () => {
    expect(parseLatencyModel("d1=50,do=10")).toEqual({ d1: 50, do: 10 });
    expect(parseLatencyModel(" do=2.5 ")).toEqual({ d1: 0, do: 2.5 });
  });

  it("refuses anything else, naming the part", () => {
    expect(() => parseLatencyModel("")).toThrow(/empty/);
    expect(() => parseLatencyModel("d1=50,kv=3")).toThrow(/"kv=3"/);
    expect(() => parseLatencyModel("d1=-5")).toThrow(/"d1=-5"/);
    expect(() => parseLatencyModel("d1=50000")).toThrow(/over 10000 ms/);
  });
});

describe("withLatencyModel outside development", () => {
  it("is the env itself when the variable is unset (the test worker's and a deployed worker's case)", () => {
    // wrangler.toml, which deploys use, sets no BENCH_LATENCY_MODEL: the test worker built from it has none.
    expect((env as unknown as Record<string, unknown>).BENCH_LATENCY_MODEL).toBeUndefined();
    expect(withLatencyModel(env)).toBe(env);
  });

  it("ignores the variable in a production-like env: same bindings, no added latency", async () => {
    for (const environment of [undefined, "production", "test"]) {
      const prod = benchEnv({ ENVIRONMENT: environment });
      const out = withLatencyModel(prod);
      expect(out).toBe(prod);
      expect(out.DB).toBe(env.DB);
      expect(out.PARTNER_GATE).toBe(env.PARTNER_GATE);
    }
  });

  it("lets a deployed-like worker answer as usual with the variable set", async () => {
    const res = await call("/health", { env: { ...DEPLOYED, BENCH_LATENCY_MODEL: MODEL } as Partial<Env> });
    expect(res.status).toBe(200);
    expect(res.body.database).toBe("ok");
  });
});

describe("withLatencyModel under ENVIRONMENT=development", () => {
  const modeled = () => withLatencyModel(benchEnv({ ENVIRONMENT: "development" }));

  it("delays each prepared-statement round trip by at least 50 ms and returns D1's answer", async () => {
    const db = modeled().DB;
    expect(db).not.toBe(env.DB);
    const first = await timed(() => db.prepare("select ?1 + 1 as n").bind(41).first<{ n: number }>());
    expect(first.value).toEqual({ n: 42 });
    expect(first.ms).toBeGreaterThanOrEqual(50);
    const column = await timed(() => db.prepare("select 7 as n").first<number>("n"));
    expect(column.value).toBe(7);
    expect(column.ms).toBeGreaterThanOrEqual(50);
    const all = await timed(() => db.prepare("select 1 as n union all select 2").all<{ n: number }>());
    expect(all.value.results).toEqual([{ n: 1 }, { n: 2 }]);
    expect(all.ms).toBeGreaterThanOrEqual(50);
    const raw = await timed(() => db.prepare("select 1 as a, 2 as b").raw({ columnNames: true }));
    expect(raw.value).toEqual([["a", "b"], [1, 2]]);
    expect(raw.ms).toBeGreaterThanOrEqual(50);
    const run = await timed(() => db.prepare("select 1").run());
    expect(run.value.success).toBe(true);
    expect(run.ms).toBeGreaterThanOrEqual(50);
  });

  it("counts a batch as one round trip, however many statements, and runs it on the real binding", async () => {
    // 200 ms a trip: three trips would be ≥ 600 ms; the slack below that absorbs a loaded machine.
    const db = withLatencyModel(benchEnv({ ENVIRONMENT: "development", BENCH_LATENCY_MODEL: "d1=200" })).DB;
    const batch = await timed(() => db.batch([db.prepare("select 1 as n"), db.prepare("select ?1 as n").bind(2), db.prepare("select 3 as n")]));
    expect(batch.value.map((r) => r.results)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    expect(batch.ms).toBeGreaterThanOrEqual(200);
    expect(batch.ms).toBeLessThan(600);
    const exec = await timed(() => db.exec("select 1"));
    expect(exec.value.count).toBe(1);
    expect(exec.ms).toBeGreaterThanOrEqual(200);
  });

  it("works under drizzle (prepare, bind, all, batch) with the latency on each round trip", async () => {
    const db = createDb(modeled().DB);
    const count = await timed(() => db.select({ n: sql<number>`count(*)` }).from(invoices));
    expect(count.value).toEqual([{ n: 0 }]);
    expect(count.ms).toBeGreaterThanOrEqual(50);
    const batch = await timed(() => db.batch([db.select({ n: sql<number>`1` }).from(invoices).limit(1), db.run(sql`select 1`)]));
    expect(batch.value[0]).toEqual([]);
    expect(batch.ms).toBeGreaterThanOrEqual(50);
  });

  it("wraps a withSession session too", async () => {
    const session = modeled().DB.withSession("first-unconstrained");
    const first = await timed(() => session.prepare("select 5 as n").first<{ n: number }>());
    expect(first.value).toEqual({ n: 5 });
    expect(first.ms).toBeGreaterThanOrEqual(50);
    const batch = await timed(() => session.batch([session.prepare("select 6 as n")]));
    expect(batch.value[0]?.results).toEqual([{ n: 6 }]);
    expect(batch.ms).toBeGreaterThanOrEqual(50);
  });

  it("delays each Durable Object call by at least 10 ms and returns the object's answer", async () => {
    const m = modeled();
    expect(m.PARTNER_GATE).not.toBe(env.PARTNER_GATE);
    const stub = m.PARTNER_GATE.getByName(`latency-model-${crypto.randomUUID()}`);
    const hit = await timed(() => stub.hit("cred-1", "test", "standard"));
    expect(hit.value).toMatchObject({ allowed: true });
    expect(hit.ms).toBeGreaterThanOrEqual(10);
    const viaId = m.PARTNER_GATE.get(m.PARTNER_GATE.idFromName(`latency-model-${crypto.randomUUID()}`));
    const second = await timed(() => viaId.hit("cred-1", "test", "standard"));
    expect(second.value).toMatchObject({ allowed: true });
    expect(second.ms).toBeGreaterThanOrEqual(10);
  });

  it("slows a request through the Worker by the D1 round trip it makes", async () => {
    const res = await timed(() => call("/health", { env: { ENVIRONMENT: "development", BENCH_LATENCY_MODEL: MODEL } as Partial<Env> }));
    expect(res.value.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(50);
  });

  it("makes a malformed model fail loudly rather than bench the wrong thing", () => {
    expect(() => withLatencyModel(benchEnv({ ENVIRONMENT: "development", BENCH_LATENCY_MODEL: "d1=fast" }))).toThrow(/d1=fast/);
  });
});
