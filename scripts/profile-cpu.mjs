// `npm run profile:cpu` (issue 16 §4): where the Worker's CPU goes, per endpoint, and how much of it
// there is next to a hello-world Worker on the same runtime in the same run.
//
// Starts the API (a frozen copy of src, as the bench does) and bench/hello with `wrangler dev` on
// loopback, seeds a sandbox tenant through the public API, then for each endpoint:
//   1. CPU: fires PROFILE_N requests (default 200) at concurrency PROFILE_CONCURRENCY (4) after
//      PROFILE_WARMUP (20), and reads the workerd process's user + system time from /proc/<pid>/stat
//      before and after (every workerd of wrangler's process group); the same N requests to
//      hello-world right before; reports CPU ms per request and the ratio to hello-world's.
//   2. Profile: connects to `wrangler dev`'s inspector (Chrome DevTools Protocol over WebSocket),
//      Profiler.start at PROFILE_INTERVAL_US (100 µs), the same N requests, Profiler.stop; saves the
//      raw profile to bench/profiles/<endpoint>.cpuprofile (open it in Chrome DevTools → Performance)
//      and prints the top 25 functions by self and by total time, and the self time by source file
//      and by package (through the bundle's source map when wrangler wrote one).
// bench/profiles/summary.md gets the tables.
//
// PROFILE_BEFORE=<dir> (a directory holding an older `src/`) runs a second API from it, on its own
// state, and measures it in the same run: before/after ratios against the same hello-world, and
// its profile taken right after the current one's (bench/profiles/<endpoint>.before.cpuprofile).
// Env: PROFILE_N, PROFILE_CONCURRENCY, PROFILE_WARMUP, PROFILE_INTERVAL_US, PROFILE_ONLY (comma-
// separated keys: get_invoice, list_invoices, payment_page, create_invoice, issue_invoice,
// create_payment_link, create_refund), PROFILE_SKIP=cpu|profile, PROFILE_ROUNDS (CPU rounds, 1).
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { SECRETS, invoiceBody, pool, seedTenant } from "./lib/api.mjs";
import { ROOT, applyMigrations, installCleanup, startDevServer, tempDir, writeEnvFile } from "./lib/dev-server.mjs";

const int = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};
const N = int("PROFILE_N", 200);
const CONCURRENCY = int("PROFILE_CONCURRENCY", 4);
const WARMUP = int("PROFILE_WARMUP", 20);
const INTERVAL_US = int("PROFILE_INTERVAL_US", 100);
const ROUNDS = int("PROFILE_ROUNDS", 1);
const TOP = 25;
const ONLY = process.env.PROFILE_ONLY ? new Set(process.env.PROFILE_ONLY.split(",").map((s) => s.trim())) : null;
const SKIP = new Set((process.env.PROFILE_SKIP ?? "").split(",").filter(Boolean));
const BEFORE = process.env.PROFILE_BEFORE ? resolve(process.env.PROFILE_BEFORE) : null;
// PROFILE_OUT: where latest.json and the tables go (`npm run bench` reads its CPU table from a temporary one).
const OUT = process.env.PROFILE_OUT ? resolve(process.env.PROFILE_OUT) : join(ROOT, "bench", "profiles");
const TICK_MS = 10; // getconf CLK_TCK = 100 on Linux

const started = Date.now();
const log = (...a) => console.log(`[profile ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...a);

// ── processes ─────────────────────────────────────────────────────────────────────────────

/** The workerd processes of a `wrangler dev` started detached (its own process group). */
function workerdPids(groupId) {
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (comm === "workerd" && Number(fields[2]) === groupId) pids.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** User + system CPU (ms) of the processes, from /proc/<pid>/stat (fields 14 and 15, in ticks). */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}

/** The inspector port wrangler was given (scripts/lib/dev-server.mjs picks a free one): in the argv of a process of its group. */
function inspectorPort(groupId) {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== groupId) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const i = argv.indexOf("--inspector-port");
      if (i >= 0) return Number(argv[i + 1]);
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no process of wrangler's group ${groupId} was started with --inspector-port`);
}

/** A frozen copy of the Worker with `src` from `srcRoot` (the rest from the working tree). */
function snapshot(prefix, srcRoot) {
  const dir = tempDir(prefix);
  cpSync(join(srcRoot, "src"), join(dir, "src"), { recursive: true });
  for (const f of ["migrations", "migrations-logs"]) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  // CHANGELOG.md: /changelog bundles it (wrangler.toml's Text rule).
  for (const f of ["wrangler.toml", "package.json", "tsconfig.json", "CHANGELOG.md"]) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  symlinkSync(join(ROOT, "public"), join(dir, "public"), "dir");
  const hash = createHash("sha256");
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(relative(dir, p)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  walk(join(dir, "src"));
  return { dir, digest: hash.digest("hex").slice(0, 16) };
}

async function startApi(label, srcRoot) {
  const snap = snapshot(`profile-${label}-`, srcRoot);
  const state = tempDir(`profile-${label}-state-`);
  const envFile = writeEnvFile(state, SECRETS);
  applyMigrations({ persistTo: state, cwd: snap.dir });
  applyMigrations({ persistTo: state, cwd: snap.dir, database: "LOGS" });
  const server = await startDevServer({ label, cwd: snap.dir, persistTo: state, envFile });
  return { ...server, digest: snap.digest, snapDir: snap.dir };
}

// ── load ──────────────────────────────────────────────────────────────────────────────────

/** `count` requests made by `make(i)` at `concurrency`; throws on the first non-2xx. */
async function fire(base, make, count, concurrency = CONCURRENCY) {
  let next = 0;
  let failed = 0;
  let firstFailure = "";
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const { path, init } = make(i);
        const res = await fetch(`${base}${path}`, init);
        const text = await res.text();
        if (res.status < 200 || res.status > 299) {
          failed++;
          firstFailure ||= `${init?.method ?? "GET"} ${path} → ${res.status}: ${text.slice(0, 300)}`;
        }
      }
    }),
  );
  if (failed) throw new Error(`${failed} of ${count} requests failed; first: ${firstFailure}`);
}

/**
 * Waits (up to 30 s) until the server's workerd is idle — under 20 ms of CPU in a second: queue
 * consumers and `waitUntil` work left by the seed or the previous endpoint would otherwise be
 * counted (and profiled) as the next endpoint's.
 */
async function settle(server) {
  const pids = workerdPids(server.pid);
  const deadline = Date.now() + 30_000;
  let last = cpuMs(pids);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuMs(pids);
    if (now - last < 20) return;
    last = now;
  }
  log(`${server.label}: still busy after 30 s, measuring anyway`);
}

/** CPU ms per request of `count` requests, as workerd's user + system time over them. */
async function measure(server, make, count) {
  const pids = workerdPids(server.pid);
  if (!pids.length) throw new Error(`${server.label}: no workerd process in wrangler's group ${server.pid}`);
  const t0 = performance.now();
  const before = cpuMs(pids);
  await fire(server.base, make, count);
  const after = cpuMs(pids);
  return { cpu_ms_per_request: (after - before) / count, wall_ms: performance.now() - t0, workerd_pids: pids.length };
}

// ── seed ──────────────────────────────────────────────────────────────────────────────────

/** Everything the endpoints need, through the public API. `drafts` fresh drafts to issue, one per request. */
async function seed(base, { drafts }) {
  const t = await seedTenant(base, { name: "Profile partner" });
  const A = t.api;
  const dept = t.dept.id;
  const issued = async (body) => A.ok("POST", `/v1/invoices/${(await A.ok("POST", "/v1/invoices", body)).id}/issue`);
  const invoices = await pool([...Array(22).keys()], 4, () => issued(invoiceBody(dept)));
  const pageLink = await A.ok("POST", "/v1/payment_links", { invoice_id: invoices[0].id, payment_methods: ["sepa_credit", "card"], return_url: "https://votreapp.example/payment/done" });
  const linkInvoices = await pool([...Array(40).keys()], 4, () => issued(invoiceBody(dept, { unitPrice: 100_000 })));
  const paidIntents = await pool([...Array(40).keys()], 4, async () => {
    const inv = await issued(invoiceBody(dept, { unitPrice: 100_000 }));
    const link = await A.ok("POST", "/v1/payment_links", { invoice_id: inv.id, payment_methods: ["sepa_credit"] });
    const pi = await A.ok("POST", `/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { outcome: "succeeded" });
    if (pi.status !== "succeeded") throw new Error(`seed: intent ${pi.id} is ${pi.status}`);
    return pi.id;
  });
  const draftIds = drafts ? await pool([...Array(drafts).keys()], 4, async () => (await A.ok("POST", "/v1/invoices", invoiceBody(dept))).id) : [];
  return { t, dept, invoice: invoices[0], pageToken: new URL(pageLink.payment_page_url).pathname.split("/")[2], linkInvoices, paidIntents, draftIds };
}

/** The endpoints: each a request factory over the seed. Drafts are consumed from the seed's pool. */
function endpoints(s) {
  const read = { authorization: s.t.auth, "x-entity-id": s.t.org.id };
  const json = { ...read, "content-type": "application/json" };
  const createBody = JSON.stringify(invoiceBody(s.dept));
  let d = 0;
  let l = 0;
  let r = 0;
  return [
    { key: "get_invoice", label: "GET /v1/invoices/{id}", floor: "?rows=1,0", make: () => ({ path: `/v1/invoices/${s.invoice.id}`, init: { headers: read } }) },
    { key: "list_invoices", label: "GET /v1/invoices?page_size=20", floor: "?rows=1,21,1", make: () => ({ path: `/v1/invoices?page_size=20`, init: { headers: read } }) },
    { key: "payment_page", label: "GET /p/{token}", floor: "?gate=0&rows=1&html=1", make: () => ({ path: `/p/${s.pageToken}`, init: {} }) },
    { key: "create_invoice", label: "POST /v1/invoices", floor: "?statements=3", make: () => ({ path: `/v1/invoices`, init: { method: "POST", headers: json, body: createBody } }) },
    {
      key: "issue_invoice",
      label: "POST /v1/invoices/{id}/issue",
      floor: "?rows=1,1,1,1,0,1&statements=5&r2=2",
      make: () => {
        const id = s.draftIds[d++];
        if (!id) throw new Error("issue_invoice: out of seeded drafts");
        return { path: `/v1/invoices/${id}/issue`, init: { method: "POST", headers: read } };
      },
    },
    {
      key: "create_payment_link",
      label: "POST /v1/payment_links",
      floor: "?statements=7&object=1",
      make: () => ({ path: `/v1/payment_links`, init: { method: "POST", headers: json, body: JSON.stringify({ invoice_id: s.linkInvoices[l++ % s.linkInvoices.length].id, payment_methods: ["sepa_credit", "card"], amount: 100 }) } }),
    },
    {
      key: "create_refund",
      label: "POST /v1/refunds",
      floor: "?rows=1,1&object=1&statements=8",
      make: () => ({ path: `/v1/refunds`, init: { method: "POST", headers: json, body: JSON.stringify({ payment_intent_id: s.paidIntents[r++ % s.paidIntents.length], amount: 1, reason: "profile" }) } }),
    },
  ].filter((e) => !ONLY || ONLY.has(e.key));
}

const helloRequest = () => ({ path: "/", init: {} });
/** The storage floor's request for an endpoint (bench/floor): the same storage calls, no logic. */
const floorRequest = (ep) => () => ({ path: `/${ep.floor}`, init: { method: ep.label.startsWith("POST") ? "POST" : "GET" } });

// ── the inspector ─────────────────────────────────────────────────────────────────────────

/** A Chrome DevTools Protocol session on `wrangler dev`'s inspector (the user Worker's isolate). */
async function devtools(port) {
  const targets = /** @type {{ webSocketDebuggerUrl?: string, title?: string, url?: string, id?: string }[]} */ (await (await fetch(`http://127.0.0.1:${port}/json`)).json());
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? null;
  if (!target) throw new Error(`inspector on ${port}: no target (${JSON.stringify(targets).slice(0, 300)})`);
  // The inspector proxy (Miniflare) refuses a socket without a local Origin; undici lets us send one.
  const ws = new WebSocket(String(target.webSocketDebuggerUrl), /** @type {any} */ ({ headers: { origin: "http://localhost" } }));
  await new Promise((ok, ko) => {
    ws.addEventListener("open", () => ok(undefined), { once: true });
    ws.addEventListener("error", (e) => ko(new Error(`inspector: ${String(e.message ?? e.type)}`)), { once: true });
  });
  let id = 0;
  const pending = new Map();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(String(e.data));
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.ko(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
    else p.ok(msg.result);
  });
  const send = (method, params = {}) =>
    new Promise((ok, ko) => {
      const n = ++id;
      pending.set(n, { ok, ko, method });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => ws.close(), target: target.title ?? target.url ?? target.id };
}

// ── source map (bundle → source file) ─────────────────────────────────────────────────────

const B64 = Object.fromEntries([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

/** Decodes a v3 source map's mappings into, per generated line, sorted [column, sourceIndex, originalLine]. */
function decodeMappings(map) {
  const lines = [];
  let source = 0;
  let origLine = 0;
  for (const line of map.mappings.split(";")) {
    const segs = [];
    let col = 0;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64[ch];
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += values[0];
      if (values.length >= 4) {
        source += values[1];
        origLine += values[2];
        segs.push([col, source, origLine]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** A function `(url, line, column) → { source, line }` (0-based line) from the bundle's source map, or null. */
function sourceMapper(snapDir) {
  const tmp = join(snapDir, ".wrangler", "tmp");
  if (!existsSync(tmp)) return null;
  const maps = new Map();
  const find = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) find(p);
      else if (name.endsWith(".js.map")) maps.set(name.slice(0, -4), p);
    }
  };
  find(tmp);
  const loaded = new Map();
  return (url, line, column) => {
    const base = url.split(/[\\/]/).pop();
    const file = base && maps.get(base);
    if (!file) return null;
    let m = loaded.get(file);
    if (!m) {
      const raw = JSON.parse(readFileSync(file, "utf8"));
      m = { sources: raw.sources, lines: decodeMappings(raw) };
      loaded.set(file, m);
    }
    const segs = m.lines[line];
    if (!segs?.length) return null;
    let best = null;
    for (const s of segs) {
      if (s[0] > column) break;
      best = s;
    }
    return best ? { source: m.sources[best[1]], line: best[2] } : null;
  };
}

/** `…/node_modules/@hono/zod-openapi/dist/x.js` → `@hono/zod-openapi`; `…/src/lib/log.ts` → `src/lib/log.ts`. */
function placeOf(source) {
  if (!source) return { file: "(unmapped)", pkg: "(unmapped)" };
  const nm = source.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = source.slice(nm + "node_modules/".length).split("/");
    // drizzle-orm's own source maps point one directory too high: its files map to node_modules/src/….
    if (rest[0] === "src") rest.unshift("drizzle-orm");
    const pkg = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    return { file: `${pkg}/${rest.slice(pkg.includes("/") ? 2 : 1).join("/")}`, pkg };
  }
  const at = source.lastIndexOf("src/");
  if (at >= 0) {
    const file = source.slice(at);
    return { file, pkg: `src/${file.split("/")[1]?.replace(/\.tsx?$/, "") ?? ""}` };
  }
  return { file: source.replace(/^.*\/(?=[^/]+$)/, ""), pkg: "(runtime/other)" };
}

// ── profile aggregation ───────────────────────────────────────────────────────────────────

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/**
 * Self and total time by function, self time by file and package. Total time counts a function
 * once per sample even when it recurses. Percentages are of the busy time (not idle).
 */
function aggregate(profile, mapSource, count) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fnKey = new Map();
  const place = new Map();
  for (const n of profile.nodes) {
    const cf = n.callFrame;
    const special = SPECIAL.has(cf.functionName);
    const src = special || !cf.url ? null : mapSource?.(cf.url, cf.lineNumber, cf.columnNumber) ?? null;
    const p = special ? { file: cf.functionName, pkg: cf.functionName } : src ? placeOf(src.source) : cf.url ? placeOf(cf.url) : { file: "(native)", pkg: "(native)" };
    place.set(n.id, p);
    const line = src ? src.line : cf.lineNumber;
    fnKey.set(n.id, special ? cf.functionName : cf.url ? `${cf.functionName || "(anonymous)"} ${p.file}:${line + 1}` : `${cf.functionName || "(anonymous)"} (native)`);
  }
  const self = new Map();
  const total = new Map();
  const files = new Map();
  const pkgs = new Map();
  let busy = 0;
  let idle = 0;
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000; // ms: a sample's delta is the time until the next one
    const leaf = profile.samples[i];
    const k = fnKey.get(leaf);
    if (k === "(idle)") {
      idle += dt;
      continue;
    }
    busy += dt;
    add(self, k, dt);
    add(files, place.get(leaf).file, dt);
    add(pkgs, place.get(leaf).pkg, dt);
    const seen = new Set();
    for (let n = leaf; n !== undefined; n = parent.get(n)) {
      const key = fnKey.get(n);
      if (key === "(root)" || seen.has(key)) continue;
      seen.add(key);
      add(total, key, dt);
    }
  }
  void byId;
  const top = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([name, ms]) => ({ name, ms_per_request: ms / count, share: busy ? ms / busy : 0 }));
  return { busy_ms_per_request: busy / count, idle_ms: idle, self: top(self), total: top(total), files: top(files), packages: top(pkgs) };
}

async function profileEndpoint(server, ep, mapSourceRef, file = `${ep.key}.cpuprofile`) {
  const port = inspectorPort(server.pid);
  const dt = await devtools(port);
  try {
    await dt.send("Profiler.enable");
    await dt.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
    await fire(server.base, ep.make, WARMUP);
    await settle(server);
    await dt.send("Profiler.start");
    await fire(server.base, ep.make, N);
    const { profile } = /** @type {{ profile: any }} */ (await dt.send("Profiler.stop"));
    await dt.send("Profiler.disable");
    writeFileSync(join(OUT, file), JSON.stringify(profile));
    mapSourceRef.fn ??= sourceMapper(server.snapDir);
    return { target: dt.target, ...aggregate(profile, mapSourceRef.fn, N) };
  } finally {
    dt.close();
  }
}

// ── report ────────────────────────────────────────────────────────────────────────────────

const f2 = (n) => (n === null || n === undefined ? "—" : n.toFixed(2));
const pct = (n) => `${(n * 100).toFixed(1)} %`;

function markdown(run) {
  const lines = [];
  lines.push(`# Worker CPU per request, by endpoint (\`npm run profile:cpu\`)`);
  lines.push("");
  lines.push(`Run ${run.date}; N = ${N} requests at concurrency ${CONCURRENCY} after ${WARMUP} warm-up; sampling every ${INTERVAL_US} µs. API sources digest ${run.digest}${run.before ? `, before: ${run.before.digest} (${run.before.dir})` : ""}. Machine load average at start ${run.load.join(" / ")}.`);
  lines.push("");
  if (run.cpu.length) {
    lines.push(`## CPU per request (workerd user + system from /proc, same run)`);
    lines.push("");
    lines.push(run.before ? `| endpoint | hello-world ms | storage floor | before ms | before ratio | after ms | after ratio | excess cut |` : `| endpoint | hello-world ms | storage floor | API ms | ratio | API over the floor |`);
    lines.push(run.before ? `|---|---:|---:|---:|---:|---:|---:|---:|` : `|---|---:|---:|---:|---:|---:|`);
    for (const c of run.cpu) {
      const floorCell = `${f2(c.floor_ms)} ms (${f2(c.floor_ratio)}×)`;
      if (run.before) {
        const cut = c.before_ratio > 1 ? 1 - (c.ratio - 1) / (c.before_ratio - 1) : null;
        lines.push(`| \`${c.label}\` | ${f2(c.hello_ms)} | ${floorCell} | ${f2(c.before_ms)} | ${f2(c.before_ratio)}× | ${f2(c.api_ms)} | ${f2(c.ratio)}× | ${cut === null ? "—" : pct(cut)} |`);
      } else lines.push(`| \`${c.label}\` | ${f2(c.hello_ms)} | ${floorCell} | ${f2(c.api_ms)} | ${f2(c.ratio)}× | +${f2(c.api_ms - c.floor_ms)} ms |`);
    }
    lines.push("");
    lines.push("Ratios are the API's CPU per request over hello-world's, measured right before it (median of the rounds). The storage floor (`bench/floor`, its query string in latest.json) makes the endpoint's storage calls — the gate's object call, the D1 batch with as many statements, the intent object's call, the R2 puts — and nothing else: under `wrangler dev` the simulated D1, objects and R2 run in the measured workerd process, so the floor is the share of the CPU that is the storage's, not the Worker's (in production it runs on D1's and the objects' machines). Absolute figures vary about 2× between runs on this shared machine; compare ratios.");
    lines.push("");
  }
  for (const p of run.profiles) {
    lines.push(`## ${p.label}`);
    lines.push("");
    lines.push(`Busy JS time in the profiled isolate: ${f2(p.busy_ms_per_request)} ms per request${p.before ? ` (before, profiled right after in the same run: ${f2(p.before.busy_ms_per_request)} ms)` : ""} (target ${p.target}). Raw profile: \`bench/profiles/${p.key}.cpuprofile\`.`);
    lines.push("");
    lines.push(`By package (self time): ${p.packages.slice(0, 10).map((x) => `${x.name} ${pct(x.share)}`).join(", ")}`);
    lines.push("");
    lines.push(`| top functions, self time | ms/req | share |`);
    lines.push(`|---|---:|---:|`);
    for (const x of p.self.slice(0, 12)) lines.push(`| \`${x.name}\` | ${f2(x.ms_per_request)} | ${pct(x.share)} |`);
    lines.push("");
    lines.push(`| top functions, total time | ms/req | share |`);
    lines.push(`|---|---:|---:|`);
    for (const x of p.total.slice(0, 15)) lines.push(`| \`${x.name}\` | ${f2(x.ms_per_request)} | ${pct(x.share)} |`);
    lines.push("");
  }
  return lines.join("\n");
}

function printTable(title, rows) {
  console.log(`  ${title}`);
  for (const x of rows) console.log(`    ${f2(x.ms_per_request).padStart(7)} ms  ${pct(x.share).padStart(7)}  ${x.name}`);
}

// ── main ──────────────────────────────────────────────────────────────────────────────────

async function main() {
  installCleanup();
  mkdirSync(OUT, { recursive: true });
  const { loadavg } = await import("node:os");
  const load = loadavg().map((l) => Number(l.toFixed(2)));
  log(`N ${N}, concurrency ${CONCURRENCY}, warm-up ${WARMUP}, interval ${INTERVAL_US} µs, rounds ${ROUNDS}${BEFORE ? `, before = ${BEFORE}` : ""}; load ${load.join(" / ")}`);
  const keys = endpoints({ t: { auth: "", org: { id: "" } }, dept: "", invoice: { id: "" }, linkInvoices: [], paidIntents: [], draftIds: [] }).map((e) => e.key);
  const issueCount = keys.includes("issue_invoice") ? (N + WARMUP) * ((SKIP.has("cpu") ? 0 : ROUNDS) + (SKIP.has("profile") ? 0 : 1)) : 0;

  const [api, before, hello, floor] = await Promise.all([
    startApi("api", ROOT),
    BEFORE ? startApi("before", BEFORE) : Promise.resolve(null),
    startDevServer({ label: "hello", config: "bench/hello/wrangler.toml", persistTo: tempDir("profile-hello-") }),
    SKIP.has("cpu") ? Promise.resolve(null) : startDevServer({ label: "floor", config: "bench/floor/wrangler.toml", persistTo: tempDir("profile-floor-") }),
  ]);
  const servers = [api, before, hello, floor].filter((x) => x !== null);
  try {
    log(`up: api ${api.base} (${api.digest})${before ? `, before ${before.base} (${before.digest})` : ""}, hello ${hello.base}${floor ? `, floor ${floor.base}` : ""}; workerd pids ${servers.map((s) => `${s.label}:${workerdPids(s.pid).join("+")}`).join(", ")}`);
    const seedApi = await seed(api.base, { drafts: issueCount });
    const seedBefore = before ? await seed(before.base, { drafts: issueCount }) : null;
    log(`seeded (${issueCount} drafts to issue)`);
    const eps = endpoints(seedApi);
    const epsBefore = seedBefore ? endpoints(seedBefore) : null;

    const cpu = [];
    if (!SKIP.has("cpu")) {
      for (const [i, ep] of eps.entries()) {
        const rows = [];
        for (let round = 0; round < ROUNDS; round++) {
          await fire(hello.base, helloRequest, WARMUP);
          await settle(hello);
          const h = await measure(hello, helloRequest, N);
          await fire(api.base, ep.make, WARMUP);
          await settle(api);
          const a = await measure(api, ep.make, N);
          let b = null;
          if (before && epsBefore) {
            await fire(before.base, epsBefore[i].make, WARMUP);
            await settle(before);
            b = await measure(before, epsBefore[i].make, N);
          }
          const floorServer = /** @type {NonNullable<typeof floor>} */ (floor);
          await fire(floorServer.base, floorRequest(ep), WARMUP);
          await settle(floorServer);
          const f = await measure(floorServer, floorRequest(ep), N);
          rows.push({ h: h.cpu_ms_per_request, a: a.cpu_ms_per_request, b: b?.cpu_ms_per_request ?? null, f: f.cpu_ms_per_request });
        }
        const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
        const hello_ms = med(rows.map((r) => r.h));
        const api_ms = med(rows.map((r) => r.a));
        const before_ms = before ? med(rows.map((r) => /** @type {number} */ (r.b))) : null;
        const floor_ms = med(rows.map((r) => r.f));
        const row = { key: ep.key, label: ep.label, floor: ep.floor, hello_ms, floor_ms, floor_ratio: floor_ms / hello_ms, api_ms, ratio: api_ms / hello_ms, before_ms, before_ratio: before_ms === null ? null : before_ms / hello_ms };
        cpu.push(row);
        log(`${ep.label}: hello ${f2(hello_ms)} ms, storage floor ${f2(floor_ms)} ms (${f2(row.floor_ratio)}×), api ${f2(api_ms)} ms → ${f2(row.ratio)}×${before_ms !== null ? `; before ${f2(before_ms)} ms → ${f2(row.before_ratio)}×` : ""}`);
      }
    }

    const profiles = [];
    if (!SKIP.has("profile")) {
      const mapRef = { fn: null };
      const mapBefore = { fn: null };
      for (const [i, ep] of eps.entries()) {
        const p = await profileEndpoint(api, ep, mapRef);
        // The older sources profiled right after, same endpoint and machine state: the busy times compare.
        const b = before && epsBefore ? await profileEndpoint(before, epsBefore[i], mapBefore, `${ep.key}.before.cpuprofile`) : null;
        profiles.push({ key: ep.key, label: ep.label, ...p, before: b });
        console.log(`\n== ${ep.label}: ${f2(p.busy_ms_per_request)} ms busy JS per request${b ? ` (before: ${f2(b.busy_ms_per_request)} ms)` : ""}`);
        printTable("by package (self)", p.packages.slice(0, 12));
        printTable("by file (self)", p.files);
        printTable("by function (self)", p.self);
        printTable("by function (total)", p.total);
      }
    }

    const run = { date: new Date().toISOString(), digest: api.digest, before: before ? { dir: BEFORE, digest: before.digest } : null, load, cpu, profiles };
    writeFileSync(join(OUT, "latest.json"), JSON.stringify(run, null, 2));
    const partial = ONLY || SKIP.size;
    writeFileSync(join(OUT, partial ? "partial.md" : "summary.md"), markdown(run) + "\n");
    log(`written: bench/profiles/${partial ? "partial.md" : "summary.md"}, latest.json${profiles.length ? ", *.cpuprofile" : ""}`);
  } catch (err) {
    const errors = api.output().split("\n").filter((l) => /error|exception|uncaught/i.test(l));
    if (errors.length) console.error(`api wrangler output (errors):\n${errors.slice(-20).join("\n")}`);
    throw err;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
