// Env follows wrangler.toml (issue 11 §9): src/env.ts derives Env from the types `wrangler types`
// writes to worker-configuration.d.ts, so the file must be regenerated whenever a binding, a var
// or a secret of .dev.vars.example changes. Regenerating (offline) and comparing says whether it
// was (`wrangler types --check` compares only the hash in the file's header, not what follows it).
// Run by `npm test` (node --test).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
const wrangler = path.join(root, "node_modules/wrangler/bin/wrangler.js");

/** The flags of `npm run cf-typegen`, so the check and the generation cannot disagree. */
function typegenFlags() {
  const script = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts["cf-typegen"];
  const [command, subcommand, ...flags] = script.trim().split(/\s+/);
  assert.deepEqual([command, subcommand], ["wrangler", "types"], `cf-typegen should run wrangler types: ${script}`);
  return flags;
}

/**
 * What `npm run cf-typegen` writes for this wrangler.toml (plus `extraToml`) and .dev.vars.example,
 * generated in a scratch copy so the committed file is compared, not overwritten.
 */
async function generate(extraToml = "") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wrangler-types-"));
  try {
    for (const file of ["wrangler.toml", ".dev.vars.example"]) fs.copyFileSync(path.join(root, file), path.join(dir, file));
    fs.appendFileSync(path.join(dir, "wrangler.toml"), extraToml);
    fs.symlinkSync(path.join(root, "src"), path.join(dir, "src"));
    fs.mkdirSync(path.join(dir, "public"));
    await promisify(execFile)(process.execPath, [wrangler, "types", ...typegenFlags()], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    return fs.readFileSync(path.join(dir, "worker-configuration.d.ts"), "utf8");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const committed = () => fs.readFileSync(path.join(root, "worker-configuration.d.ts"), "utf8");

// Each generation starts wrangler (a few seconds): both run at once.
describe("wrangler types", { concurrency: true }, () => {
  test("worker-configuration.d.ts is what wrangler types generates from wrangler.toml and .dev.vars.example", async () => {
    assert.equal(committed(), await generate(), "out of date: run `npm run cf-typegen` and commit worker-configuration.d.ts");
  });

  test("a binding added to wrangler.toml changes the generated types (control)", async () => {
    const generated = await generate('\n[[r2_buckets]]\nbinding = "CONTROL_BUCKET"\nbucket_name = "control"\n');
    assert.match(generated, /CONTROL_BUCKET: R2Bucket;/);
    assert.notEqual(generated, committed());
  });
});
