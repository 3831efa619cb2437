// The emails' accessibility, checked in a real browser (issue 13: the European Accessibility Act
// covers transactional emails): every template in French and English, rendered by the code the
// Worker runs (src/services/messages/templates bundled by esbuild like wrangler does), loaded in
// Debian Chromium with playwright-core, and audited by axe-core with the WCAG 2.1 A/AA tags — as
// pay-link.e2e.mjs does for the payment page. Two brandings: a full one (brand colour, logo,
// support address) and a bare one (none of them), since the HTML differs between them.
//
// Run: `npm run test:browser`. Without /usr/bin/chromium the test fails in CI (CI set) and is
// skipped with a loud message elsewhere. No wrangler needed: the templates are pure functions.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { importBundled } from "../../scripts/lib/bundle-documents.mjs";
import { CHROMIUM, chromiumMissing, launchChromium } from "../helpers/chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");
const IN_CI = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
if (chromiumMissing && !IN_CI) console.error(`\n!! SKIPPED: the email accessibility test needs Chromium at ${CHROMIUM} (apt-get install chromium).\n`);

const LOGO_URL = "https://cdn.example/lyon.png";
// A 1×1 PNG served for the logo: the audit makes no network request.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

const BRANDINGS = {
  branded: { displayName: "Ville de Lyon", primaryColor: "#1A4B8C", logoUrl: LOGO_URL, supportEmail: "regies@mairie-lyon.fr" },
  // A pale brand colour: the templates must not put white text on it (they fall back to their own).
  pale: { displayName: "Régie des eaux", primaryColor: "#F5D90A", logoUrl: null, supportEmail: "eau@example.fr" },
  bare: { displayName: "Mairie de Lyon", primaryColor: null, logoUrl: null, supportEmail: null },
};

let browser = null;
let templates = null;
/** @type {any} */
let samples = null;
const results = [];

before(async () => {
  if (chromiumMissing) return;
  ({ templates, samples } = await importBundled({ templates: "src/services/messages/templates/index.ts", samples: "test/messages/template-samples.ts" }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  if (results.length) {
    const rules = new Set(results.flatMap((r) => r.passIds));
    console.log(`email axe (${AXE_TAGS.join(", ")}): ${results.length} emails, ${results.reduce((n, r) => n + r.violations, 0)} violations; rules passed: ${[...rules].sort().join(" ")}`);
    const review = [...new Set(results.flatMap((r) => r.incomplete))];
    if (review.length) console.log(`  needs review (axe could not decide): ${review.join(", ")}`);
  }
});

test("Chromium is installed for the email audit (required in CI)", { skip: chromiumMissing && !IN_CI ? `no Chromium at ${CHROMIUM}` : false }, () => {
  assert.ok(!chromiumMissing, `Chromium not found at ${CHROMIUM}`);
});

test("every email template, in French and English, branded or not, passes axe (WCAG 2.1 A/AA) in Chromium", { skip: chromiumMissing ? "no Chromium" : false, timeout: 60_000 }, async () => {
  const names = templates.TEMPLATE_NAMES;
  assert.equal(names.length, 8, "the eight templates of issue 13");
  const ctx = await browser.newContext({ viewport: { width: 600, height: 900 }, javaScriptEnabled: true });
  const page = await ctx.newPage();
  // Nothing leaves the machine: the logo is answered locally, anything else is refused.
  await page.route("**/*", (route) => (route.request().url() === LOGO_URL ? route.fulfill({ status: 200, contentType: "image/png", body: PNG }) : route.abort()));
  const failures = [];
  for (const name of names) {
    for (const locale of ["fr", "en"]) {
      for (const [brandName, branding] of Object.entries(BRANDINGS)) {
        const label = `${name} (${locale}, ${brandName})`;
        const { html } = templates.renderMessage("email", name, samples.TEMPLATE_SAMPLES[name], locale, branding);
        await page.setContent(html, { waitUntil: "load" });
        assert.equal(await page.locator("html").getAttribute("lang"), locale, `${label}: language set`);
        await page.addScriptTag({ path: AXE });
        const r = await page.evaluate(async (tags) => {
          const out = await globalThis.axe.run(document, { runOnly: { type: "tag", values: tags } });
          return {
            violations: out.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })),
            passes: out.passes.map((v) => v.id),
            incomplete: out.incomplete.map((v) => v.id),
          };
        }, AXE_TAGS);
        results.push({ label, violations: r.violations.length, passIds: r.passes, incomplete: r.incomplete });
        if (r.violations.length) failures.push({ label, violations: r.violations });
      }
    }
  }
  await ctx.close();
  assert.equal(results.length, 8 * 2 * Object.keys(BRANDINGS).length);
  assert.deepEqual(failures, [], `axe violations:\n${JSON.stringify(failures, null, 2)}`);
  // The audit audited something: the rules a real email exercises did run and pass.
  const passed = new Set(results.flatMap((r) => r.passIds));
  for (const rule of ["html-has-lang", "html-lang-valid", "color-contrast", "document-title", "image-alt", "link-name"]) assert.ok(passed.has(rule), `axe rule ${rule} ran and passed`);
});
