// `npm run lint:spec`: the OpenAPI document the worker serves, linted with Spectral's OpenAPI
// ruleset (`spectral:oas`). The document is built by the worker at runtime (zod schemas →
// @hono/zod-openapi), and the worker needs workerd, so: wrangler dev on a free 127.0.0.1 port
// with a throw-away state directory and test secrets, GET /v1/openapi.json, Spectral in Node.
// Prints every result; exits 1 on any error-severity result. Wrangler's process group is
// stopped in all cases.
//
// `node scripts/spec-lint.mjs --dump <file>` also writes the fetched document to <file>.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import spectralCore from "@stoplight/spectral-core";
import spectralParsers from "@stoplight/spectral-parsers";
import { oas } from "@stoplight/spectral-rulesets";

const { Spectral, Document } = spectralCore;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRETS = {
  ADMIN_API_KEY: "spec_lint_admin_key_0123456789abcdef",
  JWT_SECRET: "spec_lint_jwt_secret_0123456789abcdef0123456789abcdef",
  ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
};
const SEVERITY = ["error", "warn", "info", "hint"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
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

/** wrangler dev with a throw-away state; returns the base URL and a stop() that kills its process group. */
async function startWrangler() {
  const stateDir = mkdtempSync(join(tmpdir(), "spec-lint-"));
  const [port, inspector] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const envFile = join(stateDir, "spec-lint.env");
  writeFileSync(envFile, Object.entries({ ...SECRETS, PUBLIC_BASE_URL: base }).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  const child = spawn(
    "npx",
    [
      "--no-install", "wrangler", "dev",
      "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector),
      "--persist-to", stateDir,
      "--env-file", envFile,
      "--var", `PUBLIC_BASE_URL:${base}`,
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_D1_WARNING: "true", FORCE_COLOR: "0" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  const exit = /** @type {Promise<void>} */ (new Promise((resolve) => child.on("exit", () => ((exited = true), resolve()))));
  const killGroup = (signal) => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), signal);
    } catch {
      /* already gone */
    }
  };
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killGroup("SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  const stop = async () => {
    if (!exited) {
      killGroup("SIGTERM");
      await Promise.race([exit, sleep(5000)]);
      if (!exited) killGroup("SIGKILL");
      await Promise.race([exit, sleep(2000)]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${output}`);
    }
    try {
      // Up is enough: the document needs no database, and /health is 503 (schema_incomplete) on
      // this fresh local state, where no migration was applied.
      const res = await fetch(`${base}/health`);
      if (res.status === 200 || res.status === 503) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /health within 60 s:\n${output}`);
    }
    await sleep(200);
  }
  return { base, stop };
}

async function fetchDocument() {
  const { base, stop } = await startWrangler();
  try {
    const res = await fetch(`${base}/v1/openapi.json`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /v1/openapi.json: ${res.status} ${text.slice(0, 500)}`);
    return text;
  } finally {
    await stop();
  }
}

function pointer(path) {
  return path.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

async function main() {
  const started = Date.now();
  const text = await fetchDocument();
  const dumpAt = process.argv.indexOf("--dump");
  if (dumpAt !== -1 && process.argv[dumpAt + 1]) writeFileSync(process.argv[dumpAt + 1], text);

  const spectral = new Spectral();
  // spectral-rulesets types `oas` as its literal object, which spectral-core's RulesetDefinition union does not accept as is.
  spectral.setRuleset({ extends: [/** @type {import("@stoplight/spectral-core").RulesetDefinition} */ (/** @type {unknown} */ (oas))] });
  const results = await spectral.run(new Document(text, spectralParsers.Json, "/v1/openapi.json"));
  results.sort((a, b) => a.severity - b.severity || String(a.code).localeCompare(String(b.code)) || pointer(a.path).localeCompare(pointer(b.path)));

  const counts = [0, 0, 0, 0];
  for (const r of results) {
    counts[r.severity]++;
    console.log(`${SEVERITY[r.severity].padEnd(5)}  ${String(r.code).padEnd(32)}  #/${pointer(r.path)}\n       ${r.message}`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `spec-lint (spectral:oas): ${counts[0]} error(s), ${counts[1]} warning(s), ${counts[2]} info, ${counts[3]} hint(s) in ${seconds} s`,
  );
  return counts[0] === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
