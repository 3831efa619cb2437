// `npm run dev`: everything a newcomer needs, in order, with no manual step.
// 1. .dev.vars from .dev.vars.example when missing; 2. the docs bundle; 3. local D1 migrations (DB, and LOGS: the API call log);
// 4. wrangler dev on http://127.0.0.1:8787 with scheduled triggers testable (/__scheduled?cron=…).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}

const run = (args) => {
  const r = spawnSync("npx", args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(["--no-install", "node", "scripts/prepare-assets.mjs"]);
run(["--no-install", "wrangler", "d1", "migrations", "apply", "DB", "--local"]);
run(["--no-install", "wrangler", "d1", "migrations", "apply", "LOGS", "--local"]);

const port = process.env.PORT ?? "8787";
// ENVIRONMENT also for a .dev.vars made before it was in .dev.vars.example.
const dev = spawn("npx", ["--no-install", "wrangler", "dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", "--var", "ENVIRONMENT:development", ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
