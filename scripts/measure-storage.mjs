// `npm run measure:storage`: the bytes one invoice lifecycle leaves in D1, measured on the SQLite
// files `wrangler dev` persists (issue 16 §6, docs/scaling.md). A manual measurement, not a test
// and not in CI: it starts its own `wrangler dev` on a throw-away `--persist-to` state, makes one
// sandbox partner with a webhook subscription (every event) delivering to a receiver on loopback,
// runs N complete lifecycles through the public API, lets the minute cron seal the audit entries,
// relay the outbox and send the receipts, waits for the webhook deliveries and the request-log
// queue to drain, and reads each table's size (SQLite's `dbstat`, through python3's sqlite3) before
// and after. The difference divided by N is the figure; the fixed cost of the partner is outside it.
//
// A lifecycle, as a partner integrating the seed's flow makes it (every POST with an
// Idempotency-Key, the upper bound: keys are purged after 24 h anyway):
//   POST /v1/invoices → POST /v1/invoices/{id}/issue → POST /v1/payment_links → GET /p/{token}
//   (the payer opens the page) → POST /v1/sandbox/payment_intents/{id}/simulate (succeeded)
//   → GET /v1/invoices/{id} (the partner checks it is paid) → one in MEASURE_REFUND_EVERY:
//   POST /v1/refunds (a partial refund with a reason: a price reduction and its credit note).
//
// Then the retention jobs are simulated on a copy of the database (the statements of
// src/cron/purge-event-payloads.ts, purge-attempt-excerpts.ts and purge-idempotency-keys.ts, which
// only run on data 90 days / 24 h old) and the copy VACUUMed: what a lifecycle weighs once its
// event payloads are gone. Printed: bytes per lifecycle per table (fresh and retained), DB and
// LOGS totals, the Durable Object and R2 bytes beside them, D1 round trips and their time per
// lifecycle (Server-Timing), and the projection of docs/scaling.md computed from these figures.
//
// Env: MEASURE_N (lifecycles, default 200), MEASURE_CONCURRENCY (2), MEASURE_REFUND_EVERY (4),
// MEASURE_KEEP_STATE=1. Flags: --json FILE (also write the figures as JSON); --project FILE (print
// only the simulation, from the JSON of an earlier run: no wrangler).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { SECRETS, idempotencyKey, invoiceBody, pool, seedTenant } from "./lib/api.mjs";
import { applyMigrations, installCleanup, parseServerTiming, sleep, snapshotWorker, startDevServer, tempDir, writeEnvFile } from "./lib/dev-server.mjs";

const num = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};
const P = {
  n: num("MEASURE_N", 200),
  concurrency: num("MEASURE_CONCURRENCY", 2),
  refundEvery: num("MEASURE_REFUND_EVERY", 4),
};
const jsonAt = process.argv.indexOf("--json");
const JSON_OUT = jsonAt === -1 ? null : process.argv[jsonAt + 1];

/** D1's per-database ceiling (developers.cloudflare.com/d1/platform/limits), decimal as Cloudflare bills it. */
const D1_MAX_BYTES = 10e9;

const t0 = Date.now();
const log = (...a) => console.log(`[measure ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s]`, ...a);

// ── the SQLite files wrangler dev persists ─────────────────────────────────────────────────

/**
 * Per-table size of one SQLite database, read on a copy (the live file is WAL-mode and written by
 * workerd: a copy of the file, its -wal and -shm is a consistent reader's view once traffic stopped).
 * Indexes count towards their table. `simulateRetention` runs the purge statements first and VACUUMs.
 */
const PY = String.raw`
import json, sqlite3, sys
path, retention = sys.argv[1], sys.argv[2] == "1"
db = sqlite3.connect(path)
if retention:
    # The retention jobs' own statements, as if every row were past its age (src/cron/purge-*.ts).
    db.execute("UPDATE events SET data = '{}', data_encrypted = NULL, data_expired_at = '2000-01-01T00:00:00.000Z' WHERE data_expired_at IS NULL")
    db.execute("UPDATE webhook_delivery_attempts SET response_excerpt = NULL WHERE response_excerpt IS NOT NULL")
    db.execute("DELETE FROM idempotency_keys")
    db.commit()
    db.execute("VACUUM")
owner = {n: t for n, t in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table','index')")}
tables = {}
for name, pgsize, payload, ncell in db.execute("SELECT name, pgsize, payload, ncell FROM dbstat WHERE aggregate = TRUE"):
    t = owner.get(name, name)
    e = tables.setdefault(t, {"bytes": 0, "payload": 0, "rows": 0})
    e["bytes"] += pgsize
    e["payload"] += payload
for t in list(tables):
    try:
        tables[t]["rows"] = db.execute('SELECT COUNT(*) FROM "%s"' % t.replace('"', '""')).fetchone()[0]
    except sqlite3.Error:
        pass
page_size = db.execute("PRAGMA page_size").fetchone()[0]
page_count = db.execute("PRAGMA page_count").fetchone()[0]
print(json.dumps({"tables": tables, "file_bytes": page_size * page_count, "page_size": page_size}))
`;

/** @param {string} file @param {{ retention?: boolean }} [o] @returns {{ tables: Record<string, { bytes: number, payload: number, rows: number }>, file_bytes: number, page_size: number }} */
function measureDb(file, { retention = false } = {}) {
  const dir = tempDir("measure-copy-");
  const copy = join(dir, "db.sqlite");
  copyFileSync(file, copy);
  for (const ext of ["-wal", "-shm"]) if (existsSync(file + ext)) copyFileSync(file + ext, copy + ext);
  const r = spawnSync("python3", ["-c", PY, copy, retention ? "1" : "0"], { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`dbstat failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The DB and LOGS files among the D1 databases of the state (named by hash: told apart by their tables). */
function d1Files(state) {
  const dir = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite")).map((f) => join(dir, f));
  /** @type {{ DB?: string, LOGS?: string }} */
  const found = {};
  for (const f of files) {
    const r = spawnSync("python3", ["-c", "import sqlite3,sys; print(','.join(r[0] for r in sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute(\"SELECT name FROM sqlite_master WHERE type='table'\")))", f], { encoding: "utf8" });
    const names = r.stdout.trim().split(",");
    if (names.includes("request_logs")) found.LOGS = f;
    else if (names.includes("invoices")) found.DB = f;
  }
  if (!found.DB || !found.LOGS) throw new Error(`DB or LOGS not found among ${files.join(", ")}`);
  return /** @type {{ DB: string, LOGS: string }} */ (found);
}

/**
 * Total bytes of the files under `dir` whose path matches `test` (Durable Object SQLite, R2 blobs).
 * @param {string} dir @param {(path: string) => boolean} test
 */
function duBytes(dir, test) {
  if (!existsSync(dir)) return { bytes: 0, files: 0 };
  let bytes = 0;
  let files = 0;
  const walk = (/** @type {string} */ d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (test(p)) {
        bytes += s.size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

/** One row count from the live DB, read-only (progress of the queues while waiting). */
function count(file, sql) {
  const r = spawnSync("python3", ["-c", "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute(sys.argv[2]).fetchone()[0])", file, sql], { encoding: "utf8" });
  if (r.status !== 0) return NaN;
  return Number(r.stdout.trim());
}

// ── the webhook receiver ───────────────────────────────────────────────────────────────────

/** Answers 200 to every POST on loopback and counts them (signatures are the tests' business). */
function startReceiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const addr = /** @type {import("node:net").AddressInfo} */ (server.address());
      resolve({ url: `http://127.0.0.1:${addr.port}/webhooks`, received: () => received, close: () => new Promise((r) => server.close(() => r(undefined))) });
    });
  });
}

// ── lifecycles ─────────────────────────────────────────────────────────────────────────────

/** D1 round trips and their time, over the requests of the lifecycles (Server-Timing). */
const d1 = { requests: 0, v1Requests: 0, roundTrips: 0, ms: 0, restarts: 0, byOp: /** @type {Record<string, { n: number, roundTrips: number, ms: number }>} */ ({}) };

async function call(api, op, method, path, body, { key = false, expect = [200, 201] } = {}) {
  const headers = { authorization: api.auth, "x-entity-id": api.entity };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = idempotencyKey();
  let res;
  let text = "";
  // wrangler dev answers 503 "Your worker restarted mid-request" when it reloads (another helper's
  // npm install touching node_modules): sent again with the same Idempotency-Key, as a client would.
  for (let attempt = 1; ; attempt++) {
    res = await fetch(`${api.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
    text = await res.text();
    if (res.status === 503 && /restarted mid-request/.test(text) && attempt < 4) {
      d1.restarts++;
      await sleep(2000);
      continue;
    }
    if (attempt > 1 && res.status === 409 && op === "sandbox payment") {
      // The first attempt took effect before the reload: the intent says so.
      const pi = path.split("/")[4];
      return call(api, op, "GET", `/v1/payment_intents/${pi}`);
    }
    break;
  }
  if (!expect.includes(res.status)) throw new Error(`${op}: ${method} ${path} → ${res.status} ${text.slice(0, 400)}`);
  d1.requests++;
  if (path.startsWith("/v1/")) d1.v1Requests++;
  const timing = parseServerTiming(res.headers.get("server-timing"));
  const d1Entries = timing.entries.filter((e) => e.name.startsWith("d1-"));
  const o = (d1.byOp[op] ??= { n: 0, roundTrips: 0, ms: 0 });
  o.n++;
  o.roundTrips += d1Entries.length;
  o.ms += d1Entries.reduce((s, e) => s + e.dur, 0);
  d1.roundTrips += d1Entries.length;
  d1.ms += d1Entries.reduce((s, e) => s + e.dur, 0);
  return (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : null;
}

async function lifecycle(api, dept, i) {
  const draft = await call(api, "create invoice", "POST", "/v1/invoices", invoiceBody(dept, { unitPrice: 1000 + ((i * 7919) % 49_000), quantity: 1 + (i % 3) }), { key: true, expect: [201] });
  const issued = await call(api, "issue invoice", "POST", `/v1/invoices/${draft.id}/issue`, undefined, { key: true });
  const link = await call(api, "create payment link", "POST", "/v1/payment_links", { invoice_id: issued.id, payment_methods: ["sepa_credit", "card"] }, { key: true, expect: [201] });
  const token = new URL(link.payment_page_url).pathname.split("/")[2];
  await call(api, "payment page", "GET", `/p/${token}`);
  const paid = await call(api, "sandbox payment", "POST", `/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { outcome: "succeeded" });
  if (paid.status !== "succeeded") throw new Error(`sandbox payment of ${link.payment_intent_id}: ${paid.status}`);
  await call(api, "get invoice", "GET", `/v1/invoices/${issued.id}`);
  if (i % P.refundEvery === 0) {
    await call(api, "refund", "POST", "/v1/refunds", { payment_intent_id: link.payment_intent_id, amount: Math.min(500, paid.amount_received), reason: "Geste commercial" }, { key: true, expect: [201] });
  }
}

async function cron(base) {
  const res = await fetch(`${base}/__scheduled?cron=*+*+*+*+*`);
  await res.text();
  return res.status;
}

/**
 * The minute cron until nothing moves: every delivery settled, every API call in the log, no audit
 * entry unsealed, and the receiver's count stable over two rounds. Bounded (3 minutes).
 */
async function drain(server, files, receiver, expectedLogRows) {
  let stable = 0;
  let last = "";
  for (let round = 0; round < 60; round++) {
    await cron(server.base);
    await sleep(3000);
    const state = {
      received: receiver.received(),
      pendingDeliveries: count(files.DB, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'"),
      pendingEvents: count(files.DB, "SELECT COUNT(*) FROM events WHERE enqueued_at IS NULL"),
      unsealed: count(files.DB, "SELECT COUNT(*) FROM audit_logs WHERE hash IS NULL"),
      logRows: count(files.LOGS, "SELECT COUNT(*) FROM request_logs"),
      pendingRefunds: count(files.DB, "SELECT COUNT(*) FROM refunds WHERE status = 'pending'"),
    };
    // The log may miss a call only if its queue dropped it: then it stops growing short of the count.
    const settled = state.pendingDeliveries === 0 && state.pendingEvents === 0 && state.unsealed === 0 && state.pendingRefunds === 0;
    const moved = `${state.received}/${state.logRows}`;
    stable = settled && (state.logRows >= expectedLogRows || moved === last) && moved === last ? stable + 1 : 0;
    last = moved;
    if (round % 5 === 0 || stable >= 2) log(`drain round ${round}: ${JSON.stringify(state)}`);
    if (stable >= 2) return state;
  }
  throw new Error("the queues did not drain within 3 minutes");
}

// ── figures ────────────────────────────────────────────────────────────────────────────────

function perLifecycle(before, after, n) {
  const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)]);
  const rows = [];
  for (const t of names) {
    const b = before.tables[t] ?? { bytes: 0, payload: 0, rows: 0 };
    const a = after.tables[t] ?? { bytes: 0, payload: 0, rows: 0 };
    const bytes = (a.bytes - b.bytes) / n;
    const payload = (a.payload - b.payload) / n;
    const rowsPer = (a.rows - b.rows) / n;
    if (bytes !== 0 || rowsPer !== 0) rows.push({ table: t, rows: rowsPer, bytes, payload });
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  return { rows, total: rows.reduce((s, r) => s + r.bytes, 0), payload: rows.reduce((s, r) => s + r.payload, 0) };
}

const fmt = (n, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const human = (bytes) => (bytes >= 1e9 ? `${fmt(bytes / 1e9, 2)} GB` : bytes >= 1e6 ? `${fmt(bytes / 1e6, 1)} MB` : `${fmt(bytes / 1e3, 1)} kB`);
const months = (m) => (m === Infinity ? "never" : m >= 24 ? `${fmt(m / 12, 1)} years` : `${fmt(m, 1)} months`);

/**
 * When one 10 GB database fills, for `perMonth` lifecycles a month: without retention everything
 * stays; with it, a lifecycle weighs `fresh` for its first 3 months (90 days, event payloads and
 * webhook answers kept; idempotency keys are gone after a day either way) and `retained` after.
 * Audit entries are kept 10 years: inside every horizon below, so they never shrink here.
 * @param {number} perMonth @param {number} full @param {number} fresh @param {number} retained
 */
function fillMonths(perMonth, full, fresh, retained) {
  const without = D1_MAX_BYTES / (perMonth * full);
  const first90 = 3 * perMonth * fresh;
  const withRetention = first90 >= D1_MAX_BYTES ? D1_MAX_BYTES / (perMonth * fresh) : 3 + (D1_MAX_BYTES - first90) / (perMonth * retained);
  return { without, withRetention };
}

/** The request log: a year kept; full if a year of it passes 10 GB, else it levels off. */
function logFill(perMonth, bytes) {
  const without = D1_MAX_BYTES / (perMonth * bytes);
  const yearOf = 12 * perMonth * bytes;
  return { without, withRetention: yearOf >= D1_MAX_BYTES ? without : Infinity, steady: Math.min(yearOf, D1_MAX_BYTES) };
}

/**
 * The split's simulation (docs/scaling.md): one database's size after `months` of `perMonth`
 * lifecycles under a retention policy, from the measured bytes per table.
 *   P0: today (event payloads and webhook answers purged at 90 days, the rows stay; keys 24 h).
 *   P1: the hot set: events, webhook deliveries and attempts and messages leave D1 at 90 days
 *       (deleted, or their bodies to R2), audit entries to sealed R2 segments at 13 months;
 *       invoices, links, intents, payments, refunds and credit notes stay 10 years.
 *   P2: P1, with audit entries to R2 a month after sealing and the money rows of settled
 *       invoices to a per-partner archive (R2) after 24 months.
 * @param {{ db: { rows: { table: string, bytes: number }[] }, db_retained: { rows: { table: string, bytes: number }[] } }} fig
 */
export function policySize(fig, policy, perMonth, months) {
  const b = (rows, t) => rows.find((r) => r.table === t)?.bytes ?? 0;
  const fresh = (t) => b(fig.db.rows, t);
  const kept = (t) => b(fig.db_retained.rows, t);
  const money = ["invoices", "payment_links", "payment_intents", "payments", "refunds", "credit_notes", "invoice_counters"].reduce((s, t) => s + fresh(t), 0);
  const trail = ["events", "webhook_deliveries", "webhook_delivery_attempts", "messages"];
  const keys = fresh("idempotency_keys") / 30; // a day of keys
  if (policy === "P0") {
    const all = fig.db.rows.reduce((s, r) => s + r.bytes, 0) - fresh("idempotency_keys");
    const after = fig.db_retained.rows.reduce((s, r) => s + r.bytes, 0);
    return perMonth * (all * Math.min(months, 3) + after * Math.max(0, months - 3) + keys);
  }
  const auditMonths = policy === "P1" ? 13 : 1;
  const moneyMonths = policy === "P1" ? months : Math.min(months, 24);
  return perMonth * (money * moneyMonths + kept("audit_logs") * Math.min(months, auditMonths) + trail.reduce((s, t) => s + fresh(t), 0) * Math.min(months, 3) + keys);
}

/** Months until one database passes 10 GB under `policy` (Infinity if not within 10 years). */
function monthsToFill(fig, policy, perMonth) {
  for (let m = 0.1; m <= 120; m += 0.1) if (policySize(fig, policy, perMonth, m) >= D1_MAX_BYTES) return m;
  return Infinity;
}

/** The simulation's tables, from the figures of a run (printed by --project FILE too). */
function projection(fig) {
  const L = [];
  L.push("### Simulation: one database under each retention policy");
  L.push("");
  L.push("P0 = today's jobs; P1 = hot set (events, deliveries, attempts, messages leave D1 at 90 days, audit at 13 months); P2 = P1 + audit at 1 month, money rows of settled invoices archived after 24 months. 10 GB = 10^10 bytes.");
  L.push("");
  L.push("| invoices a month | P0: full after | P1: full after | P2: full after | size at 10 years P0 / P1 / P2 | databases needed at 10 years, filled to 70 %: P0 / P1 / P2 |");
  L.push("|---:|---:|---:|---:|---:|---:|");
  for (const perMonth of [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]) {
    const at10 = ["P0", "P1", "P2"].map((p) => policySize(fig, p, perMonth, 120));
    L.push(`| ${fmt(perMonth)} | ${["P0", "P1", "P2"].map((p) => months(monthsToFill(fig, p, perMonth))).join(" | ")} | ${at10.map(human).join(" / ")} | ${at10.map((x) => fmt(Math.ceil(x / (0.7 * D1_MAX_BYTES)))).join(" / ")} |`);
  }
  return L.join("\n");
}

function report({ n, dbFull, dbRetained, logs, dbFixed, dobytes, r2bytes, elapsedS, drainState, fileGrowth }) {
  const L = [];
  const idem = dbFull.rows.find((r) => r.table === "idempotency_keys")?.bytes ?? 0;
  const fresh = dbFull.total - idem;
  L.push(`## Storage per invoice lifecycle — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`);
  L.push("");
  L.push(`${n} lifecycles at concurrency ${P.concurrency} (a refund in one of ${P.refundEvery}), ${elapsedS} s, on ${cpus().length} cores (load ${loadavg().map((x) => x.toFixed(1)).join(" ")}). Bytes are SQLite pages (dbstat pgsize, indexes counted with their table: what the file grows by), per lifecycle; payload = the bytes of the records themselves.`);
  L.push("");
  L.push("| table (DB) | rows / lifecycle | bytes / lifecycle | payload bytes | after the retention jobs |");
  L.push("|---|---:|---:|---:|---:|");
  for (const r of dbFull.rows) {
    const ret = dbRetained.rows.find((x) => x.table === r.table);
    L.push(`| ${r.table} | ${fmt(r.rows, 2)} | ${fmt(r.bytes)} | ${fmt(r.payload)} | ${fmt(ret?.bytes ?? 0)} |`);
  }
  L.push(`| **DB total** | | **${fmt(dbFull.total)}** | ${fmt(dbFull.payload)} | **${fmt(dbRetained.total)}** |`);
  L.push("");
  L.push(`The database file itself grew by ${fmt(fileGrowth.db / n)} bytes per lifecycle (page count × page size, free pages included; ${fmt(fileGrowth.retained / n)} after the retention jobs and a VACUUM).`);
  L.push("");
  L.push("| table (LOGS) | rows / lifecycle | bytes / lifecycle | payload bytes |");
  L.push("|---|---:|---:|---:|");
  for (const r of logs.rows) L.push(`| ${r.table} | ${fmt(r.rows, 2)} | ${fmt(r.bytes)} | ${fmt(r.payload)} |`);
  L.push(`| **LOGS total** | | **${fmt(logs.total)}** | ${fmt(logs.payload)} |`);
  L.push("");
  L.push(`Outside D1, per lifecycle: the payment intents' Durable Objects ${fmt(dobytes / n)} bytes of SQLite files (each object its own database, 10 GB each: no ceiling for us), R2 documents (Factur-X PDF + XML, sealed) ${fmt(r2bytes / n)} bytes. The partner's fixed rows (partner, credentials, organization, department, bank account, subscription): ${fmt(dbFixed)} bytes once.`);
  L.push("");
  const perReq = logs.total / Math.max(1, d1.v1Requests / n);
  L.push(`Request path: ${fmt(d1.requests / n, 2)} HTTP calls per lifecycle (${fmt(d1.v1Requests / n, 2)} under /v1, logged: ${fmt(perReq)} bytes of LOGS per call), ${fmt(d1.roundTrips / n, 2)} D1 round trips per lifecycle taking ${fmt(d1.ms / n, 1)} ms in all (Server-Timing, wall time on this machine; queue consumers, cron and Durable Object projections write D1 too and are not in it).`);
  L.push("");
  L.push("| operation | calls | D1 round trips / call | D1 ms / call |");
  L.push("|---|---:|---:|---:|");
  for (const [op, o] of Object.entries(d1.byOp)) L.push(`| ${op} | ${o.n} | ${fmt(o.roundTrips / o.n, 2)} | ${fmt(o.ms / o.n, 2)} |`);
  L.push("");
  L.push(`Drained: ${JSON.stringify(drainState)}; requests resent after a wrangler reload: ${d1.restarts}.`);
  L.push("");
  L.push("### Per partner-day");
  L.push("");
  L.push("| invoices a day | DB, fresh | DB, after 90 days | LOGS | R2 |");
  L.push("|---:|---:|---:|---:|---:|");
  for (const perDay of [100, 1_000, 10_000, 33_000]) {
    L.push(`| ${fmt(perDay)} | ${human(perDay * fresh)} | ${human(perDay * dbRetained.total)} | ${human(perDay * logs.total)} | ${human((perDay * r2bytes) / n)} |`);
  }
  L.push("");
  L.push("### When one 10 GB database fills (10^10 bytes)");
  L.push("");
  L.push("| invoices a month | DB without retention | DB with retention | LOGS without purge | LOGS with the 1-year purge (steady size) |");
  L.push("|---:|---:|---:|---:|---:|");
  for (const perMonth of [10_000, 100_000, 1_000_000]) {
    const db = fillMonths(perMonth, dbFull.total, fresh, dbRetained.total);
    const lg = logFill(perMonth, logs.total);
    L.push(`| ${fmt(perMonth)} | ${months(db.without)} | ${months(db.withRetention)} | ${months(lg.without)} | ${lg.withRetention === Infinity ? `never (${human(lg.steady)})` : months(lg.withRetention)} |`);
  }
  L.push("");
  L.push(projection({ db: dbFull, db_retained: dbRetained }));
  return L.join("\n");
}

// ── main ───────────────────────────────────────────────────────────────────────────────────

async function main() {
  const projectAt = process.argv.indexOf("--project");
  if (projectAt !== -1) {
    // The simulation alone, from the figures of an earlier run (--json): no wrangler.
    const fig = JSON.parse(readFileSync(process.argv[projectAt + 1] ?? "", "utf8"));
    console.log(projection(fig));
    return 0;
  }
  installCleanup();
  log(`parameters: ${JSON.stringify(P)}`);
  const state = tempDir("measure-state-", process.env.MEASURE_KEEP_STATE === "1");
  const envFile = writeEnvFile(state, SECRETS);
  const snap = snapshotWorker("measure-worker-");
  log(`worker sources frozen (${snap.files} files, digest ${snap.digest}); state ${state}`);
  applyMigrations({ persistTo: state, cwd: snap.dir });
  applyMigrations({ persistTo: state, cwd: snap.dir, database: "LOGS" });
  const files = d1Files(state);
  const empty = measureDb(files.DB);
  const receiver = /** @type {any} */ (await startReceiver());
  const server = await startDevServer({ label: "api", cwd: snap.dir, persistTo: state, envFile, testScheduled: true });
  log(`api ${server.base} up in ${server.startupMs} ms (pid ${server.pid}); webhook receiver ${receiver.url}`);
  try {
    const t = await seedTenant(server.base, { name: "Storage partner" });
    const partnerApi = t.api.with({ entity: undefined });
    const sub = await partnerApi.ok("POST", "/v1/webhook_subscriptions", { url: receiver.url, events: ["*"], description: "measure:storage" });
    log(`partner ${t.partner.id}, subscription ${sub.id} (every event)`);
    // One warm-up lifecycle, outside the figures: first-use rows (the invoice counter of the year,
    // the audit chain, the organization's numbering) belong to the partner, not to a lifecycle.
    await lifecycle(t.api, t.dept.id, 1);
    await drain(server, files, receiver, 0);
    Object.assign(d1, { requests: 0, v1Requests: 0, roundTrips: 0, ms: 0, restarts: 0, byOp: {} });
    const before = { db: measureDb(files.DB), logs: measureDb(files.LOGS), beforeRetained: measureDb(files.DB, { retention: true }) };
    const doDir = join(state, "v3", "do");
    const isIntent = (/** @type {string} */ p) => p.includes("PaymentIntent") && /\.sqlite(-wal)?$/.test(p);
    const do0 = duBytes(doDir, isIntent);
    const r20 = duBytes(join(state, "v3", "r2"), (p) => p.includes("blobs"));

    const tl = Date.now();
    let done = 0;
    await pool([...Array(P.n).keys()], P.concurrency, async (i) => {
      await lifecycle(t.api, t.dept.id, i);
      if (++done % 50 === 0) log(`${done}/${P.n} lifecycles`);
    });
    const lifecyclesS = (Date.now() - tl) / 1000;
    log(`${P.n} lifecycles in ${lifecyclesS.toFixed(0)} s; draining`);
    await sleep(3000); // refunds settle 1.5 s after creation
    const expectedLogRows = (before.logs.tables.request_logs?.rows ?? 0) + d1.v1Requests;
    const drainState = { ...(await drain(server, files, receiver, expectedLogRows)), expectedLogRows };
    await server.stop();
    log("api stopped; measuring");

    const after = { db: measureDb(files.DB), logs: measureDb(files.LOGS), retained: measureDb(files.DB, { retention: true }) };
    const dbFull = perLifecycle(before.db, after.db, P.n);
    const dbRetained = perLifecycle(before.beforeRetained, after.retained, P.n);
    const logs = perLifecycle(before.logs, after.logs, P.n);
    const dobytes = duBytes(doDir, isIntent).bytes - do0.bytes;
    const r2bytes = duBytes(join(state, "v3", "r2"), (p) => p.includes("blobs")).bytes - r20.bytes;
    const dbFixed = Object.values(before.db.tables).reduce((s, x) => s + x.bytes, 0) - Object.values(empty.tables).reduce((s, x) => s + x.bytes, 0);
    const fileGrowth = { db: after.db.file_bytes - before.db.file_bytes, retained: after.retained.file_bytes - before.beforeRetained.file_bytes, logs: after.logs.file_bytes - before.logs.file_bytes };
    const md = report({ n: P.n, dbFull, dbRetained, logs, dbFixed, dobytes, r2bytes, elapsedS: Math.round(lifecyclesS), drainState, fileGrowth });
    console.log(`\n${md}\n`);
    if (JSON_OUT) {
      mkdirSync(join(JSON_OUT, ".."), { recursive: true });
      writeFileSync(JSON_OUT, `${JSON.stringify({ date: new Date().toISOString(), parameters: P, source_digest: snap.digest, lifecycles_seconds: lifecyclesS, file_growth: fileGrowth, db: dbFull, db_retained: dbRetained, logs, durable_objects_bytes: dobytes, r2_bytes: r2bytes, partner_fixed_bytes: dbFixed, d1, drained: drainState, markdown: md }, null, 2)}\n`);
      log(`figures: ${JSON_OUT}`);
    }
    return 0;
  } finally {
    await server.stop();
    await receiver.close();
  }
}

main().then(
  (code) => {
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    process.exit(code);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
