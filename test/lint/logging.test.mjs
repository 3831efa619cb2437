// Logs through one helper (issue 10 §2): src/lib/log.ts is the only file of src/ that calls
// console.*, so every line is JSON and goes through its redaction. Run by `npm test` (node --test).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "../..");
const HELPER = "src/lib/log.ts";

/** `file:line text` of every console call outside the helper. */
export function consoleCalls(files) {
  const found = [];
  for (const { name, source } of files) {
    if (name === HELPER) continue;
    source.split("\n").forEach((line, i) => {
      if (/\bconsole\s*\.\s*(log|info|warn|error|debug|trace|dir|table)\s*\(/.test(line) && !/^\s*(\/\/|\*)/.test(line)) found.push(`${name}:${i + 1} ${line.trim()}`);
    });
  }
  return found;
}

function sources(dir) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .map((f) => ({ name: path.join(dir, f).split(path.sep).join("/"), source: fs.readFileSync(path.join(root, dir, f), "utf8") }));
}

test("no console call in src/ outside lib/log.ts", () => {
  const files = sources("src");
  assert.ok(files.length > 80, "source files scanned");
  assert.ok(files.some((f) => f.name === HELPER), "the helper exists");
  assert.deepEqual(consoleCalls(files), []);
});

test("the checker finds a console call and ignores comments and the helper", () => {
  assert.deepEqual(
    consoleCalls([
      { name: "src/a.ts", source: 'const x = 1;\n  console.error(JSON.stringify({ path: c.req.path }));\n// console.log("fine")' },
      { name: HELPER, source: "console.log(line);" },
    ]),
    ['src/a.ts:2 console.error(JSON.stringify({ path: c.req.path }));'],
  );
});
