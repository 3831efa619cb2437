// `npm run dev`'s decisions (scripts/lib/dev-args.mjs), without starting a server: PUBLIC_BASE_URL
// follows PORT unless the user chose it, and `--persist-to DIR` migrates DIR. The same script run for
// real (its server on a free port, state in a temporary --persist-to) is in test/browser/docs.e2e.mjs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { devPlan, parseDevVars } from "../../scripts/lib/dev-args.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const example = readFileSync(path.join(root, ".dev.vars.example"), "utf8");
const plan = (argv, env = {}, devVars = example) => devPlan({ argv, env, devVars, exampleDevVars: example });
const publicBaseUrlVars = (args) => args.filter((a, i) => args[i - 1] === "--var" && a.startsWith("PUBLIC_BASE_URL:"));

test("PUBLIC_BASE_URL follows PORT when nobody chose it", () => {
  const p = plan([], { PORT: "8840" });
  assert.equal(p.port, "8840");
  assert.deepEqual(publicBaseUrlVars(p.wrangler), ["PUBLIC_BASE_URL:http://127.0.0.1:8840"]);
  assert.deepEqual(p.wrangler.slice(0, 7), ["--no-install", "wrangler", "dev", "--ip", "127.0.0.1", "--port", "8840"]);
  // The default port, and wrangler's own --port after `--`.
  assert.deepEqual(publicBaseUrlVars(plan([]).wrangler), ["PUBLIC_BASE_URL:http://127.0.0.1:8787"]);
  const flag = plan(["--port", "9001"], { PORT: "8840" });
  assert.deepEqual(publicBaseUrlVars(flag.wrangler), ["PUBLIC_BASE_URL:http://127.0.0.1:9001"]);
  assert.equal(flag.wrangler.filter((a) => a === "--port").length, 1, "one --port for wrangler");
  assert.deepEqual(publicBaseUrlVars(plan(["--port=9002", "--ip", "192.168.1.20"]).wrangler), ["PUBLIC_BASE_URL:http://192.168.1.20:9002"]);
});

test("a PUBLIC_BASE_URL the user chose is kept: environment, --var, or .dev.vars changed from the example", () => {
  const fromEnv = plan([], { PORT: "8840", PUBLIC_BASE_URL: "https://tunnel.example" });
  assert.equal(fromEnv.publicBaseUrl.source, "environment");
  assert.deepEqual(publicBaseUrlVars(fromEnv.wrangler), ["PUBLIC_BASE_URL:https://tunnel.example"]);

  const fromArg = plan(["--var", "PUBLIC_BASE_URL:https://arg.example"], { PORT: "8840" });
  assert.equal(fromArg.publicBaseUrl.source, "argument");
  assert.deepEqual(publicBaseUrlVars(fromArg.wrangler), ["PUBLIC_BASE_URL:https://arg.example"], "only the user's own --var");

  const edited = example.replace(/^PUBLIC_BASE_URL=.*$/m, "PUBLIC_BASE_URL=https://mine.example");
  const fromFile = plan([], { PORT: "8840" }, edited);
  assert.deepEqual(fromFile.publicBaseUrl, { source: ".dev.vars", value: "https://mine.example" });
  assert.deepEqual(publicBaseUrlVars(fromFile.wrangler), [], "wrangler reads .dev.vars itself");

  // .dev.vars as copied from the example: its 8787 is the default, not a choice.
  assert.equal(plan([], { PORT: "8840" }).publicBaseUrl.source, "port");
});

test("--persist-to DIR: both databases' migrations go to DIR, and wrangler dev keeps its state there", () => {
  for (const argv of [["--persist-to", "/tmp/state"], ["--persist-to=/tmp/state"]]) {
    const p = plan(argv);
    assert.equal(p.persistTo, "/tmp/state");
    assert.deepEqual(p.migrations, [
      ["--no-install", "wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", "/tmp/state"],
      ["--no-install", "wrangler", "d1", "migrations", "apply", "LOGS", "--local", "--persist-to", "/tmp/state"],
    ]);
    assert.deepEqual(p.wrangler.slice(-argv.length), argv, "passed on to wrangler dev");
  }
  assert.deepEqual(plan([]).migrations.map((m) => m.includes("--persist-to")), [false, false]);
  assert.match(plan(["--persist-to="]).error, /--persist-to needs a directory/);
});

test("a bad PORT is refused with a message, not passed to wrangler", () => {
  assert.match(plan([], { PORT: "eighty" }).error, /PORT must be a TCP port number/);
  assert.match(plan([], { PORT: "70000" }).error, /PORT must be a TCP port number/);
});

test(".dev.vars lines: comments skipped, quotes removed", () => {
  assert.deepEqual(parseDevVars('# PUBLIC_BASE_URL=http://x\nPUBLIC_BASE_URL="https://q.example"\nA = b\n'), { PUBLIC_BASE_URL: "https://q.example", A: "b" });
});
