// `npm run dev`: everything a newcomer needs, in order, with no manual step.
// 1. .dev.vars from .dev.vars.example when missing; 2. the docs bundle; 3. local D1 migrations (DB, and LOGS: the API call log),
// where the server keeps its state (`-- --persist-to DIR` included); 4. wrangler dev on http://127.0.0.1:$PORT (8787 by default)
// with scheduled triggers testable (/__scheduled?cron=…), PUBLIC_BASE_URL following the port unless you set it
// (scripts/lib/dev-args.mjs decides; arguments after `--` go to wrangler dev).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devPlan } from "./lib/dev-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}

const plan = devPlan({
  argv: process.argv.slice(2),
  env: process.env,
  devVars: readFileSync(".dev.vars", "utf8"),
  exampleDevVars: readFileSync(".dev.vars.example", "utf8"),
});
if ("error" in plan) {
  console.error(`npm run dev: ${plan.error}`);
  process.exit(2);
}

const run = (args) => {
  const r = spawnSync("npx", args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(["--no-install", "node", "scripts/prepare-assets.mjs"]);
if (plan.persistTo) console.log(`state in ${plan.persistTo}: migrations applied there`);
for (const args of plan.migrations) run(args);

const where = { argument: "from --var", environment: "from the environment", ".dev.vars": "from .dev.vars", port: "following the port" }[plan.publicBaseUrl.source];
console.log(`PUBLIC_BASE_URL ${plan.publicBaseUrl.value ?? ""} (${where}): payment links, QR codes and emails point there`);
const dev = spawn("npx", plan.wrangler, { stdio: "inherit" });
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
