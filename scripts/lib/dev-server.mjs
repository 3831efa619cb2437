// `wrangler dev` on a free loopback port with its own persisted state, for the bench and soak
// scripts. The tests' own starter (test/helpers/wrangler-dev.mjs: the browser and API-document tests) reuses its pieces: migrations
// applied to a throw-away `--persist-to` directory, secrets from an `--env-file`, wait for a
// ready path, and the whole process group killed whatever happens (exit, SIGINT, SIGTERM).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { migrationArgs } from "./dev-args.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

export function quietEnv() {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", NO_D1_WARNING: "true", FORCE_COLOR: "0" };
}

/** Every process group started here, killed on the way out whatever the reason. */
const live = new Set();
const tempDirs = new Set();
let cleanupInstalled = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

function cleanupNow() {
  for (const pid of live) killGroup(pid, "SIGKILL");
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Installs exit/SIGINT/SIGTERM handlers once: they SIGKILL every started group and remove temp dirs. */
export function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", cleanupNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the wrangler processes`);
      cleanupNow();
      process.exit(130);
    });
  }
  process.on("uncaughtException", (err) => {
    console.error(err);
    cleanupNow();
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    console.error(err);
    cleanupNow();
    process.exit(1);
  });
}

/** A temp directory removed at exit (unless `keep`). */
export function tempDir(prefix, keep = false) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!keep) tempDirs.add(dir);
  return dir;
}

export function writeEnvFile(dir, vars) {
  const file = join(dir, "dev.env");
  writeFileSync(file, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  return file;
}

/**
 * A frozen copy of the Worker's sources (src, migrations, wrangler.toml; node_modules and public
 * linked) for `wrangler dev` to run from: wrangler dev reloads the Worker whenever a source file
 * changes, and a reload answers the requests in flight 503 ("Your worker restarted
 * mid-request"). A long load run against the working tree would measure whatever edits land
 * meanwhile; this one measures the code as it was when the run started (its digest is reported).
 */
export function snapshotWorker(prefix = "worker-snapshot-") {
  const dir = tempDir(prefix);
  // migrations-logs: the API call log's database (LOGS, issue 15), migrated like DB.
  for (const f of ["src", "migrations", "migrations-logs"]) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  // CHANGELOG.md: the Worker serves it (src/routes/support/changelog.ts imports it).
  for (const f of ["wrangler.toml", "package.json", "tsconfig.json", "CHANGELOG.md"]) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  symlinkSync(join(ROOT, "public"), join(dir, "public"), "dir");
  const hash = createHash("sha256");
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(join(dir, "src"));
  walk(join(dir, "migrations"));
  walk(join(dir, "migrations-logs"));
  files.push(join(dir, "wrangler.toml"));
  for (const f of files) hash.update(relative(dir, f)).update("\0").update(readFileSync(f)).update("\0");
  return { dir, digest: hash.digest("hex").slice(0, 16), files: files.length };
}

/** @param {{ persistTo: string, config?: string, cwd?: string, database?: string }} options `database`: the binding (default DB; LOGS is the call log's). */
export function applyMigrations({ persistTo, config, cwd = ROOT, database = "DB" }) {
  const r = spawnSync("npx", migrationArgs(database, { persistTo, config }), { cwd, env: quietEnv(), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Starts `wrangler dev` and waits until `readyPath` answers 2xx. Returns a handle whose
 * `kill()` SIGKILLs the group at once (fault injection) and `stop()` stops it gently.
 * @param {{ label?: string, cwd?: string, config?: string, persistTo?: string, envFile?: string, port?: number,
 *   vars?: Record<string, string>, testScheduled?: boolean, readyPath?: string, timeoutMs?: number }} options
 */
export async function startDevServer({
  label = "wrangler",
  cwd = ROOT,
  config,
  persistTo,
  envFile,
  port,
  vars = {},
  testScheduled = false,
  readyPath = "/health",
  timeoutMs = 90_000,
}) {
  installCleanup();
  port ??= await freePort();
  const inspector = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [
    "--no-install", "wrangler", "dev",
    "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector),
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
  ];
  if (config) args.push("--config", config);
  if (persistTo) args.push("--persist-to", persistTo);
  if (envFile) args.push("--env-file", envFile);
  // Local runs are local development (wrangler.toml leaves ENVIRONMENT unset for deploys).
  for (const [k, v] of Object.entries({ ENVIRONMENT: "development", ...vars })) args.push("--var", `${k}:${v}`);
  if (testScheduled) args.push("--test-scheduled");

  const started = Date.now();
  const child = spawn("npx", args, { cwd, env: quietEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child.pid);
  let output = "";
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  const exit = /** @type {Promise<void>} */ (new Promise((resolve) => child.on("exit", () => ((exited = true), live.delete(child.pid), resolve()))));

  const handle = {
    label,
    base,
    port,
    pid: child.pid,
    output: () => output,
    exited: () => exited,
    /** SIGKILL the whole group now (wrangler, esbuild, workerd): a crash, not a shutdown. */
    async kill() {
      killGroup(child.pid, "SIGKILL");
      await Promise.race([exit, sleep(5000)]);
      live.delete(child.pid);
    },
    async stop() {
      if (!exited) {
        killGroup(child.pid, "SIGTERM");
        await Promise.race([exit, sleep(5000)]);
        if (!exited) killGroup(child.pid, "SIGKILL");
        await Promise.race([exit, sleep(2000)]);
      }
      live.delete(child.pid);
    },
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${label}: wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${base}${readyPath}`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${label}: wrangler dev did not answer ${readyPath} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await sleep(250);
  }
  handle.startupMs = Date.now() - started;
  return handle;
}

/** Parses a Server-Timing header into entries and the sequential round-trip count. */
export function parseServerTiming(header) {
  const entries = [...(header ?? "").matchAll(/([\w-]+);desc="([^"]*)";dur=([\d.]+)/g)].map(([, name, desc, dur]) => ({ name, desc, dur: Number(dur) }));
  const storage = entries.find((e) => e.name === "storage" && e.desc === "sequential round trips");
  return {
    entries: entries.filter((e) => e !== storage),
    sequential: storage ? storage.dur : null,
  };
}
