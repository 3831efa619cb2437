// `npm run lint:spec` (Spectral's OpenAPI ruleset over the document the Worker serves) as part of
// the browser step: it starts its own `wrangler dev`, so running it here, alongside the other
// end-to-end files (`node --test --test-concurrency=3`), overlaps its start-up with their waits
// instead of adding it to `npm test` in series. `npm run lint:spec` alone prints every result.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib/dev-server.mjs";

test("the served /v1/openapi.json passes Spectral's OpenAPI ruleset with no error (npm run lint:spec)", { timeout: 240_000 }, () => {
  const run = spawnSync(process.execPath, ["scripts/spec-lint.mjs"], { cwd: ROOT, encoding: "utf8", timeout: 230_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, `lint:spec failed:\n${output.slice(-4000)}`);
  assert.match(output, /spec-lint \(spectral:oas\): 0 error\(s\)/, output.slice(-2000));
});
