// The Worker's size and startup cost (issue 16 §5), for `npm run bench`: the bundle exactly as
// `wrangler deploy --dry-run --outdir` builds it (raw and gzip -9 of every module, no source map),
// and the time a fresh workerd takes to load that bundle and answer a first request, minus the
// same for the hello-world worker (bench/hello). Each instance is a new Miniflare, so a new workerd
// process: what is timed is spawn → evaluate the module → first response, and the difference to
// hello-world is what our module costs on top of the runtime (Cloudflare refuses a Worker whose
// global scope takes over 1 s to start). Both wall time and the workerd process's CPU time at the
// first response (Linux /proc) are measured; the bench asserts on the CPU figure when it has it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { ROOT, quietEnv } from "./dev-server.mjs";

/** Builds the Worker as a deploy would into `outdir`; returns its modules' sizes. */
export function buildBundle({ cwd, outdir }) {
  execFileSync("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", outdir], { cwd, stdio: "ignore", env: quietEnv() });
  const modules = [];
  for (const f of readdirSync(outdir).sort()) {
    if (f.endsWith(".map") || f === "README.md") continue;
    const bytes = readFileSync(join(outdir, f));
    modules.push({ file: f, raw_bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length });
  }
  return {
    outdir,
    modules,
    raw_bytes: modules.reduce((n, m) => n + m.raw_bytes, 0),
    gzip_bytes: modules.reduce((n, m) => n + m.gzip_bytes, 0),
  };
}

/**
 * The bindings both instances get, so that the runtime's own services for them (Miniflare runs
 * D1, R2 and queues as workers of their own in the same workerd) cost the baseline as much as the
 * API: what differs is the module and what its first request does. No Durable Object namespace:
 * hello-world exports no class to bind, and evaluating ours needs none.
 */
function sharedOptions(secrets) {
  return {
    compatibilityDate: compatibilityDate(),
    bindings: { ENVIRONMENT: "development", PUBLIC_BASE_URL: "http://127.0.0.1:8787", EMAIL_FROM: "factures@paiements.example", ...secrets },
    d1Databases: ["DB", "LOGS"],
    r2Buckets: ["DOCUMENTS"],
    queueProducers: { WEBHOOKS: "webhooks", MESSAGES: "messages", REQUEST_LOGS: "request-logs" },
  };
}

/** The built API: every module the build wrote (the entry first, the fonts as Data as wrangler.toml's [[rules]] make them). */
function apiOptions(outdir, secrets) {
  const files = ["index.js", ...readdirSync(outdir).filter((f) => f !== "index.js" && /\.(js|mjs|ttf|md)$/.test(f))];
  return {
    ...sharedOptions(secrets),
    // Listed, not ruled: Miniflare 5 no longer converts v4 module rules.
    // As wrangler.toml's rules: fonts are Data, Markdown (the changelog page) Text.
    modules: files.map((f) => ({ type: f.endsWith(".ttf") ? "Data" : f.endsWith(".md") ? "Text" : "ESModule", path: join(outdir, f) })),
    modulesRoot: outdir,
  };
}

function helloOptions(secrets) {
  const dir = join(ROOT, "bench", "hello");
  return { ...sharedOptions(secrets), modules: [{ type: "ESModule", path: join(dir, "index.js") }], modulesRoot: dir };
}

function compatibilityDate() {
  const m = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  if (!m) throw new Error("wrangler.toml: no compatibility_date");
  return m[1];
}

/**
 * Spawn → first response of one fresh instance. `/health` answers without a partner; on the
 * API's empty local D1 it answers 503 `degraded` (no migrations), which is still the Worker's own
 * answer after evaluating its module and running a D1 query: the status is reported.
 */
async function once(options) {
  const before = new Set(workerdChildren());
  const t0 = performance.now();
  // Miniflare 5 (wrangler's) has a new options shape; it still converts the v4 one used here.
  const mf = new Miniflare(convertV4MiniflareOptions({ name: "startup", ...options }));
  try {
    const res = await mf.dispatchFetch("http://127.0.0.1/health");
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200 && res.status !== 503) throw new Error(`first request answered ${res.status}: ${body.slice(0, 300)}`);
    const fresh = workerdChildren().filter((pid) => !before.has(pid));
    return { ms, cpuMs: fresh.length === 1 ? cpuMs(fresh[0]) : null, status: res.status };
  } finally {
    await mf.dispose();
  }
}

// The workerd process's own CPU (user + system) at its first response, read from /proc (Linux):
// on a shared machine wall time inflates with the load, CPU time much less (the CPU table is
// measured the same way). Reported next to the wall figure; null where /proc is not available.
let clockTicks = null;
function cpuMs(pid) {
  try {
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/** workerd processes that are children of this one (Miniflare spawns its runtime directly). */
function workerdChildren() {
  const dir = `/proc/${process.pid}/task`;
  if (!existsSync(dir)) return [];
  const pids = [];
  for (const tid of readdirSync(dir)) {
    let children = "";
    try {
      children = readFileSync(`${dir}/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const pid of children.split(" ").filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd") pids.push(Number(pid));
      } catch {
        /* gone */
      }
    }
  }
  return pids;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `runs` fresh instances of each, interleaved (API, hello, API, hello, …) so drift hits both alike. */
export async function measureStartup({ outdir, secrets, runs = 3 }) {
  const api = [];
  const hello = [];
  const apiCpu = [];
  const helloCpu = [];
  const statuses = new Set();
  // Not counted: the first instance of the process pays Miniflare's own one-time setup.
  await once(helloOptions(secrets));
  for (let i = 0; i < runs; i++) {
    const a = await once(apiOptions(outdir, secrets));
    statuses.add(a.status);
    api.push(a.ms);
    const h = await once(helloOptions(secrets));
    hello.push(h.ms);
    if (a.cpuMs !== null && h.cpuMs !== null) {
      apiCpu.push(a.cpuMs);
      helloCpu.push(h.cpuMs);
    }
  }
  const r = (n) => Number(n.toFixed(0));
  return {
    runs,
    api_ms: api.map(r),
    hello_ms: hello.map(r),
    api_median_ms: r(median(api)),
    hello_median_ms: r(median(hello)),
    difference_ms: r(median(api) - median(hello)),
    // The same, in the workerd process's CPU time (null when /proc could not say).
    cpu: apiCpu.length === runs ? { api_median_ms: r(median(apiCpu)), hello_median_ms: r(median(helloCpu)), difference_ms: r(median(apiCpu) - median(helloCpu)) } : null,
    api_first_status: [...statuses],
  };
}
