// `wrangler dev` for end-to-end tests run by node:test (test/browser/, test/documents/): the real
// Worker on 127.0.0.1 with a throw-away local state (D1 with the migrations applied, R2, Durable
// Objects), its own secrets, free ports so several runs never collide, and a stop that kills the
// whole process group (wrangler → workerd) whatever happened, then removes the state. The pieces
// are scripts/lib/dev-server.mjs's (shared with the bench and soak); its startDevServer is not used
// because it installs process-wide crash handlers that would fight node:test's own.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, freePort, quietEnv, ROOT, sleep, writeEnvFile } from "../../scripts/lib/dev-server.mjs";

export { sleep };

/** Secrets of the throw-away worker: the admin API answers `Bearer ${ADMIN_API_KEY}`. */
export const E2E_SECRETS = {
  ADMIN_API_KEY: "e2e_admin_key_0123456789abcdef",
  JWT_SECRET: "e2e_jwt_secret_0123456789abcdef0123456789abcdef",
  ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
};

/**
 * Starts `wrangler dev` and resolves once GET /health answers 200 (within `readyTimeoutMs`).
 * `prefix` names the temporary state directory; `args` are passed on to `wrangler dev` (e.g.
 * `--test-scheduled`). Returns the base URL, the output so far, and `stop()` (idempotent: also
 * called on process exit and on SIGINT/SIGTERM, so no workerd outlives the test).
 */
export async function startWranglerDev({ prefix = "wrangler-dev-e2e-", secrets = E2E_SECRETS, args = [], readyTimeoutMs = 60_000 } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), prefix));
  const [port, inspector] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const envFile = writeEnvFile(stateDir, { ...secrets, PUBLIC_BASE_URL: base });
  try {
    applyMigrations({ persistTo: stateDir });
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }

  const child = spawn(
    "npx",
    [
      "--no-install", "wrangler", "dev",
      "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector),
      "--persist-to", stateDir,
      "--env-file", envFile,
      "--var", `PUBLIC_BASE_URL:${base}`,
      "--var", "ENVIRONMENT:development",
      "--show-interactive-dev-session=false",
      ...args,
    ],
    // Its own process group: wrangler starts workerd as a child, and both must go.
    { cwd: ROOT, env: quietEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  const exit = /** @type {Promise<void>} */ (new Promise((resolve) => child.on("exit", () => ((exited = true), resolve()))));
  const pid = /** @type {number} */ (child.pid);
  const killGroup = (signal) => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  const onExit = () => killGroup("SIGKILL");
  const onSignal = () => {
    killGroup("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("exit", onExit);
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, onSignal);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup("SIGTERM");
      await Promise.race([exit, sleep(5000)]);
      if (!exited) killGroup("SIGKILL");
      await Promise.race([exit, sleep(2000)]);
    }
    rmSync(stateDir, { recursive: true, force: true });
    process.off("exit", onExit);
    for (const signal of ["SIGINT", "SIGTERM"]) process.off(signal, onSignal);
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited early:\n${output}`);
    }
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /health within ${readyTimeoutMs / 1000} s:\n${output}`);
    }
    await sleep(250);
  }
  return { base, stateDir, output: () => output, stop };
}

/**
 * A JSON call to a server started above: `Bearer key`, the body as JSON when given. Answers the
 * status, headers, raw text and parsed body (undefined when empty).
 */
export async function sendJson(base, method, path, { key, body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}
