// /docs in a real browser, served by `npm run dev` itself (scripts/dev.mjs) on a free PORT with its
// state in a temporary `--persist-to` directory: the script must migrate both databases there (else
// /health is 503 schema_incomplete) and make PUBLIC_BASE_URL follow the port. Then Chromium opens
// /docs: the operations render, no request leaves the server (no font CDN, no telemetry), the page
// breaks none of its CSP, and Scalar's "Ask AI", "Generate MCP" and "Deploy" are not there. And
// /changelog answers from the bundled CHANGELOG.md.
//
// Run: `npm run test:browser` (node --test test/browser/), or this file alone with node --test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { devPlan } from "../../scripts/lib/dev-args.mjs";
import { freePort, quietEnv, ROOT, sleep } from "../../scripts/lib/dev-server.mjs";
import { CHROMIUM, chromiumMissing, launchChromium } from "../helpers/chromium.mjs";

const IN_CI = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
const skipBrowser = chromiumMissing && !IN_CI ? `needs Chromium at ${CHROMIUM}` : false;

let child;
let output = "";
let base;
let stateDir;

/** Kills `npm run dev`'s whole process group (node → npx → wrangler → workerd). */
function killGroup(signal) {
  try {
    if (child?.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
const onExit = () => killGroup("SIGKILL");

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "docs-e2e-"));
  const [port, inspector] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  const env = { ...quietEnv(), PORT: String(port) };
  delete env.PUBLIC_BASE_URL;
  child = spawn(
    process.execPath,
    ["scripts/dev.mjs", "--persist-to", stateDir, "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector), "--show-interactive-dev-session=false"],
    { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  process.once("exit", onExit);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`);
    try {
      const res = await fetch(`${base}/health`);
      // 503 means the server is up on databases without our tables: the migrations went elsewhere.
      if (res.status === 503) throw new Error(`/health 503 under --persist-to: ${await res.text()}\n${output}`);
      if (res.ok) break;
    } catch (e) {
      if (String(e?.message).startsWith("/health 503")) throw e;
    }
    if (Date.now() > deadline) throw new Error(`npm run dev did not answer /health within 120 s:\n${output}`);
    await sleep(300);
  }
});

after(async () => {
  killGroup("SIGTERM");
  for (let i = 0; i < 25 && child && child.exitCode === null && child.signalCode === null; i++) await sleep(200);
  killGroup("SIGKILL");
  process.off("exit", onExit);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

test("npm run dev -- --persist-to DIR: both databases are migrated in DIR, where the server keeps its state", async () => {
  const d1 = join(stateDir, "v3", "d1");
  assert.ok(existsSync(d1), `no D1 state under ${stateDir}:\n${output}`);
  const files = readdirSync(d1, { recursive: true }).filter((f) => String(f).endsWith(".sqlite") && !String(f).endsWith("metadata.sqlite"));
  assert.equal(files.length, 2, `DB and LOGS in ${d1}: ${files.join(", ")}`);
  const health = await (await fetch(`${base}/health`)).json();
  assert.equal(health.database, "ok");
  assert.match(output, /migrations applied there/);
});

test("PORT=… npm run dev: PUBLIC_BASE_URL follows the port (the OpenAPI servers list one origin)", async (t) => {
  const plan = devPlan({
    argv: [],
    env: { PORT: new URL(base).port },
    devVars: readFileSync(join(ROOT, ".dev.vars"), "utf8"),
    exampleDevVars: readFileSync(join(ROOT, ".dev.vars.example"), "utf8"),
  });
  if (plan.publicBaseUrl.source !== "port") return t.skip(`this checkout's .dev.vars sets PUBLIC_BASE_URL (${plan.publicBaseUrl.value})`);
  const doc = await (await fetch(`${base}/v1/openapi.json`)).json();
  assert.deepEqual(
    doc.servers.map((s) => s.url),
    [base],
    "the request's origin, and PUBLIC_BASE_URL equal to it",
  );
  assert.equal(doc.info.contact.url, `${base}/docs`);
  assert.match(output, new RegExp(`PUBLIC_BASE_URL ${base.replace(/[.]/g, "\\.")} \\(following the port\\)`));
});

test("GET / and GET /api-docs lead to /docs", async () => {
  for (const path of ["/", "/api-docs?x=1"]) {
    const res = await fetch(`${base}${path}`, { redirect: "manual" });
    assert.ok([301, 302].includes(res.status), `${path}: ${res.status}`);
    assert.equal(res.headers.get("location"), path === "/" ? "/docs" : "/docs?x=1");
  }
});

test("GET /changelog under wrangler dev: CHANGELOG.md bundled (wrangler.toml's Text rule), as JSON and as a page", async () => {
  const file = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8");
  const json = await fetch(`${base}/changelog`, { headers: { accept: "application/json" } });
  assert.equal(json.status, 200);
  const body = await json.json();
  const headings = file.split("\n").filter((l) => l.startsWith("## ")).map((l) => l.slice(3).trim());
  assert.deepEqual(body.data.map((r) => (r.version === "unreleased" ? "Unreleased" : r.date)), headings);
  const bullets = file.split("\n").filter((l) => l.startsWith("- ")).length;
  assert.equal(body.data.reduce((n, r) => n + r.changes.length, 0), bullets);
  const page = await fetch(`${base}/changelog`);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(await page.text(), /<h2>Unreleased<\/h2>/);
});

/**
 * Waits until the page has issued no new request for `quietMs` (late font or script requests
 * included), at most `maxMs`. Playwright's "networkidle" also waits for in-flight responses and
 * timed out on a loaded CI machine; what this test asserts is which hosts were asked.
 */
async function quiet(requests, quietMs = 2_000, maxMs = 60_000) {
  const start = Date.now();
  let seen = requests.length;
  let since = start;
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 250));
    if (requests.length !== seen) [seen, since] = [requests.length, Date.now()];
    else if (Date.now() - since >= quietMs) return;
  }
  assert.fail(`/docs still issues requests after ${maxMs} ms; the last ones: ${requests.slice(-10).join(", ")}`);
}

test("/docs in Chromium: the operations render, nothing is fetched from another host, no CSP violation, no Ask AI / Generate MCP / Deploy", { skip: skipBrowser, timeout: 120_000 }, async () => {
  const doc = await (await fetch(`${base}/v1/openapi.json`)).json();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const requests = [];
    const problems = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const res = await page.goto(`${base}/docs`, { waitUntil: "load" });
    assert.equal(res?.status(), 200);
    assert.match(res?.headers()["content-security-policy"] ?? "", /default-src 'none'/);
    // The sidebar lists every tag, the first one open with its operations; opening another shows its own.
    await page.getByText(doc.paths["/v1/auth/token"].post.summary).first().waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Open Group - Organizations" }).first().click();
    const createOrganization = doc.paths["/v1/organizations"].post.summary;
    await page.getByText(createOrganization).first().waitFor({ timeout: 30_000 });
    await quiet(requests);
    const text = await page.locator("body").innerText();
    const missingTags = doc.tags.map((t) => t.name).filter((name) => !text.includes(name));
    assert.deepEqual(missingTags, [], "every tag of the OpenAPI document is listed");
    const organizations = Object.values(doc.paths).flatMap((item) => Object.values(item)).filter((op) => op.tags.includes("Organizations")).map((op) => op.summary);
    assert.deepEqual(organizations.filter((s) => !text.includes(s)), [], "the Organizations group lists its operations");

    const elsewhere = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith("data:") && !u.startsWith("blob:"));
    assert.deepEqual(elsewhere, [], "every request goes to the server itself");
    assert.ok(requests.includes(`${base}/docs/scalar.js`) && requests.includes(`${base}/v1/openapi.json`), requests.join("\n"));
    assert.deepEqual(problems, []);

    for (const label of ["Ask AI", "Generate MCP", "Deploy"]) {
      const visible = await page.getByText(label, { exact: false }).filter({ visible: true }).count();
      assert.equal(visible, 0, `"${label}" is shown on /docs`);
    }
    // The "Test Request" client targets this server: its address is what the page offers.
    assert.ok(text.includes(base), `the server ${base} is shown on /docs`);
  } finally {
    await browser.close();
  }
});
