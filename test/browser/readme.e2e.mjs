// README.md's walk-through, run as a reader would paste it (issue 17: "the README followed literally,
// top to bottom"): every ```bash block from "## Walk-through" to "## Conventions", in order, in one
// bash, against the real Worker under `wrangler dev` (throw-away state, free port), each `# → …`
// line compared with what came out (scripts/readme-walk.mjs says how). A README that no longer
// matches the API fails here, naming the README line.
//
// Run: `npm run test:browser` (node --test test/browser/), or this file alone with node --test.
// Against `npm run dev` instead: `npm run readme:check` (node scripts/readme-walk.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { applyMigrations, freePort } from "../../scripts/lib/dev-server.mjs";
import { extractBlocks, parseSteps, walkReadme } from "../../scripts/readme-walk.mjs";
import { E2E_SECRETS as SECRETS, startWranglerDev } from "../helpers/wrangler-dev.mjs";

// The walk takes 40 to 60 s on this machine; the bound is for a hung step, not for a slow machine.
const WALK_TIMEOUT_MS = 6 * 60_000;

// The walk-through's own tools: jq (ids), pdfdetach (poppler-utils, the embedded XML), iconv (the FEC).
// Missing ones are said loudly and the walk is skipped, as the browser test does without Chromium;
// with CI set it fails instead.
const missing = ["jq", "pdfdetach", "iconv"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0);
const skip = missing.length > 0 && !process.env.CI ? `missing ${missing.join(", ")} (apt-get install jq poppler-utils)` : false;
if (skip) console.log(`README walk-through SKIPPED: ${skip}`);

let server;
before(async () => {
  if (skip) return;
  assert.deepEqual(missing, [], "the README walk-through needs these tools (apt-get install jq poppler-utils)");
  // --test-scheduled: the trail section runs the minute cron through /__scheduled.
  server = await startWranglerDev({ prefix: "readme-e2e-", args: ["--test-scheduled"] });
  // startWranglerDev applies DB's migrations; the API call log (GET /v1/request_logs) lives in LOGS.
  applyMigrations({ persistTo: server.stateDir, database: "LOGS" });
});
after(async () => {
  await server?.stop();
});

test("every walk-through block of README.md runs in order and answers what the README shows", { timeout: WALK_TIMEOUT_MS, skip }, async () => {
  const lines = [];
  const result = await walkReadme({
    base: server.base,
    adminKey: SECRETS.ADMIN_API_KEY,
    stepTimeoutMs: 60_000,
    // The webhook receiver's port, free on this machine (the README's default is 9999).
    env: { WEBHOOK_PORT: String(await freePort()) },
    log: (line) => lines.push(line),
  });
  console.log(
    `README walk-through: ${result.blocks} blocks, ${result.steps} steps, ${result.commands} commands run, ` +
      `${result.skipped} skipped, ${result.expectations} expected outputs checked in ${result.seconds} s`,
  );
  for (const line of lines.filter((l) => l.startsWith("- skip"))) console.log(line);
  assert.ok(result.failures.length === 0, `README.md and the API disagree (${result.failures.length}):\n\n${result.failures.join("\n\n")}`);
  // A README whose blocks were not found (a renamed heading) would pass vacuously.
  assert.ok(result.expectations >= 60, `only ${result.expectations} expected outputs found in the walk-through`);
});

test("the walk fails when a shown output is altered (one number changed in a copy of README.md)", { timeout: 120_000, skip }, async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  // Only the quickstart and the invoice blocks, with the invoice's total changed from 42200 to 42220.
  const cut = readme.indexOf("### Documents:");
  const conventions = readme.indexOf("## Conventions");
  assert.ok(cut > 0 && conventions > cut);
  const shown = '"total_amount":42200,"amount_due":42200';
  assert.ok(readme.slice(0, cut).includes(shown), "the invoice block shows its total");
  const altered = readme.slice(0, cut).replace(shown, '"total_amount":42220,"amount_due":42200') + readme.slice(conventions);
  const dir = mkdtempSync(join(tmpdir(), "readme-altered-"));
  try {
    const path = join(dir, "README.md");
    writeFileSync(path, altered);
    const steps = extractBlocks(altered).flatMap((b, i) => parseSteps(b, i));
    assert.ok(steps.length > 5);
    const result = await walkReadme({ base: server.base, adminKey: SECRETS.ADMIN_API_KEY, readmePath: path, log: () => {} });
    assert.equal(result.failures.length, 1, result.failures.join("\n\n"));
    assert.match(result.failures[0], /\$\.total_amount: 42200, the README shows 42220/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
