// The storage floor (bench/floor/wrangler.toml): per request, the storage calls an API endpoint makes,
// shaped by the query string, with rows as wide as an invoice's, and nothing else.
//   rows=a,b,…     the read batch: one SELECT per entry, returning that many rows (a get: 1,0 — the
//                  invoice and its credit notes; a list: 1,21,1 — parent, page, total); absent: no read
//   statements=N   inserts in the write batch, after the read (0: no write)
//   gate=0|1       the partner gate's object call, alongside the read (default 1; the payment page has none)
//   object=0|1     a call to a second object that writes its SQLite and sets an alarm (links, refunds)
//   r2=N           R2 puts of 8 KB (documents at issue)
//   html=1         answer 14 KB of HTML instead of JSON (the payment page)
import { DurableObject } from "cloudflare:workers";

const COLUMNS = 45;
const columns = Array.from({ length: COLUMNS }, (_, i) => `c${i}`);
const createTable = `CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY, k TEXT NOT NULL, ${columns.map((c) => `${c} TEXT`).join(", ")})`;
const insert = `INSERT INTO t (id, k, ${columns.join(", ")}) VALUES (?, ?, ${columns.map(() => "?").join(", ")})`;
const value = "x".repeat(24);
let ready = null;

async function setup(db) {
  await db.prepare(createTable).run();
  const { results } = await db.prepare("SELECT count(*) AS n FROM t").all();
  if (results[0].n >= 40) return;
  await db.batch(Array.from({ length: 40 }, (_, i) => db.prepare(insert).bind(`seed-${i}`, "seed", ...columns.map(() => value))));
}

/** The partner gate's floor: an object call that counts in memory (the real one writes its count every 16th request). */
export class Gate extends DurableObject {
  count = 0;
  hit() {
    this.count++;
    return { allowed: true, remaining: 100 - (this.count % 100) };
  }
}

/** The intent object's floor: one SQLite write, an alarm, a read back. */
export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS s (id TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  }
  async bump(id) {
    this.ctx.storage.sql.exec("INSERT INTO s (id, v) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET v = v + 1", id);
    await this.ctx.storage.setAlarm(Date.now() + 60_000);
    return this.ctx.storage.sql.exec("SELECT v FROM s WHERE id = ?", id).one().v;
  }
  alarm() {}
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ status: "ok" });
    ready ??= setup(env.DB);
    await ready;
    const q = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
    const gate = q("gate", 1) ? env.GATE.getByName("partner").hit() : null;
    const rows = (url.searchParams.get("rows") ?? "").split(",").filter(Boolean).map(Number);
    const read = rows.length ? env.DB.batch(rows.map((n) => env.DB.prepare("SELECT * FROM t WHERE k = 'seed' LIMIT ?").bind(n))) : Promise.resolve([]);
    await gate;
    const out = await read;
    const statements = q("statements", 0);
    if (statements) {
      const id = crypto.randomUUID();
      await env.DB.batch(Array.from({ length: statements }, (_, i) => env.DB.prepare(insert).bind(`${id}-${i}`, "written", ...columns.map(() => value))));
    }
    if (q("object", 0)) await env.OBJECT.getByName(crypto.randomUUID().slice(0, 2)).bump("x");
    const puts = q("r2", 0);
    if (puts) await Promise.all(Array.from({ length: puts }, (_, i) => env.FILES.put(`${crypto.randomUUID()}-${i}`, value.repeat(340))));
    if (q("html", 0)) return new Response(`<!doctype html><p>${"x".repeat(14_000)}</p>`, { headers: { "content-type": "text/html; charset=utf-8" } });
    return Response.json({ data: out.flatMap((r) => r.results) });
  },
};
