// The payment page in a real browser (seed 001 "Étape 5"): wrangler dev on 127.0.0.1 with a
// throw-away local state, the API driven with fetch, Debian Chromium driven with playwright-core,
// axe-core (WCAG 2.1 A/AA) on every state of the page, and the SEPA sandbox flow paid end to end.
//
// Run: `npm run test:browser` (node --test test/browser/). Without /usr/bin/chromium the test
// fails in CI (CI set) and is skipped with a loud message elsewhere.
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { E2E_SECRETS as SECRETS, startWranglerDev } from "../helpers/wrangler-dev.mjs";
import { CHROMIUM, chromiumMissing, launchChromium } from "../helpers/chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const AXE = join(ROOT, "node_modules", "axe-core", "axe.min.js");
const IN_CI = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
const SHOTS = process.env.PAY_LINK_SHOTS_DIR || tmpdir();
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

if (chromiumMissing && !IN_CI) {
  const line = "!".repeat(78);
  console.error(`\n${line}\n!! SKIPPED: the browser test needs Chromium at ${CHROMIUM} (apt-get install chromium).\n!! Set CHROMIUM_PATH to use another one. In CI (CI=true) a missing Chromium fails.\n${line}\n`);
}

/** Stops the wrangler process group, whatever happened. */
let stopWrangler = async () => {};

async function startWrangler() {
  const server = await startWranglerDev({ prefix: "pay-link-e2e-" });
  stopWrangler = server.stop;
  return server;
}

// ── API helpers ─────────────────────────────────────────────────────────────────────────

function api(base) {
  let auth = `Bearer ${SECRETS.ADMIN_API_KEY}`;
  const call = async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: auth, ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  };
  const ok = async (expected, method, path, body, headers) => {
    const res = await call(method, path, body, headers);
    assert.equal(res.status, expected, `${method} ${path}: ${res.text}`);
    return res.body;
  };
  return { call, ok, useKey: (key) => (auth = `Bearer ${key}`) };
}

/** Partner → organization (branded) → department → bank account; then one issued invoice + link per scenario. */
async function seed(base) {
  const a = api(base);
  const partner = await a.ok(201, "POST", "/v1/admin/partners", { name: "E2E partner" });
  a.useKey(partner.credentials.secret_key);
  const org = await a.ok(201, "POST", "/v1/organizations", {
    type: "public_entity",
    name: "Mairie de Lyon",
    siret: "21690123400019",
    vat_number: "FR21216901234",
    address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
    branding: { display_name: "Ville de Lyon", primary_color: "#1A4B8C", support_email: "regies@mairie-lyon.fr" },
  });
  const dept = await a.ok(201, "POST", `/v1/organizations/${org.id}/departments`, { name: "Régie de l'Eau", code: "REG-EAU-001" });
  await a.ok(201, "POST", `/v1/departments/${dept.id}/bank_accounts`, {
    iban: "FR7612345678901234567890123",
    bic: "BNPAFRPPXXX",
    account_name: "Compte Régie Eau",
    bank_name: "BNP Paribas",
    is_default: true,
  });
  const entity = { "x-entity-id": org.id };
  // `amount`: a link for part of the invoice; `dueDate`: a past one, made overdue by the sandbox sweep.
  const link = async (methods = ["sepa_credit", "card"], { amount, dueDate } = {}) => {
    const draft = await a.ok(201, "POST", "/v1/invoices", {
      department_id: dept.id,
      payer: { name: "Jean Dupont", email: "jean.dupont@example.com" },
      line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 }],
      due_date: dueDate ?? "2099-03-31",
    }, entity);
    const invoice = await a.ok(200, "POST", `/v1/invoices/${draft.id}/issue`, undefined, entity);
    if (dueDate) assert.equal((await a.ok(200, "POST", "/v1/sandbox/sweeps", { as_of: "2024-04-01" })).invoices_marked_overdue, 1);
    const l = await a.ok(201, "POST", "/v1/payment_links", { invoice_id: invoice.id, payment_methods: methods, return_url: "https://votreapp.example/payment/done?order=42", ...(amount ? { amount } : {}) }, entity);
    return { invoice, link: l, token: new URL(l.payment_page_url).pathname.split("/")[2] };
  };
  // A payment request without an invoice (issue 13): `page: "short"`, `type: "preauth"` (a card hold)…
  const request = async (extra = {}) => {
    const l = await a.ok(201, "POST", "/v1/payment_links", { amount: 4500, description: "Stage de voile, juillet", payer: { name: "Camille Martin", email: "camille.martin@example.com" }, ...extra }, entity);
    return { link: l, token: new URL(l.payment_page_url).pathname.split("/")[2] };
  };
  return { a, org, entity, link, request };
}

// ── browser helpers ─────────────────────────────────────────────────────────────────────

const axeResults = [];

async function axeCheck(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (tags) => {
    const r = await globalThis.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return {
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) })),
      passes: r.passes.map((v) => v.id),
      incomplete: r.incomplete.map((v) => v.id),
    };
  }, AXE_TAGS);
  axeResults.push({ label, violations: result.violations.length, passes: result.passes.length, passIds: result.passes, incomplete: result.incomplete });
  assert.deepEqual(result.violations, [], `axe violations on "${label}":\n${JSON.stringify(result.violations, null, 2)}`);
}

async function heading(page) {
  return (await page.locator("h1").first().textContent())?.trim();
}

async function expectHeading(page, text, timeout = 15_000) {
  await page.locator("h1", { hasText: text }).first().waitFor({ timeout });
  assert.equal(await page.locator("h1").count(), 1, "one h1 per page");
}

async function shot(page, name) {
  const path = join(SHOTS, `pay-link-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ── the test ────────────────────────────────────────────────────────────────────────────

let server = null;
let browser = null;

before(async () => {
  if (chromiumMissing) return;
  server = await startWrangler();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopWrangler();
  if (axeResults.length) console.log(`axe (${AXE_TAGS.join(", ")}); rules passed on the choice page: ${axeResults[0].passIds.join(" ")}\n${axeResults.map((r) => `  ${r.label}: ${r.violations} violations, ${r.passes} rules passed${r.incomplete.length ? `, needs review: ${r.incomplete.join(", ")}` : ""}`).join("\n")}`);
});

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "fr-FR" };

test("Chromium is installed (required in CI)", { skip: chromiumMissing && !IN_CI ? `no Chromium at ${CHROMIUM}` : false }, () => {
  assert.ok(!chromiumMissing, `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
});

test("a payer pays a link by SEPA transfer on a phone; every state of the page passes axe", { skip: chromiumMissing ? "no Chromium" : false, timeout: 110_000 }, async () => {
  const { base } = server;
  const { a, entity, link } = await seed(base);
  const origin = new URL(base).origin;

  // The page as the payer's browser enforces it: our CSP (no bypass), JavaScript off, only our
  // own origin contacted, the nonce'd stylesheet applied, no console error; a card payment made
  // end to end that way (the processing page follows the payment through its Refresh header).
  const main = await link();
  {
    const nojs = await link(["card"]);
    const strict = await browser.newContext({ ...phone, javaScriptEnabled: false });
    const page = await strict.newPage();
    const requests = [];
    const problems = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => (m.type() === "error" || m.type() === "warning") && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    const res = await page.goto(nojs.link.payment_page_url);
    assert.equal(res.status(), 200);
    await expectHeading(page, "Payer votre facture");
    assert.equal(await page.locator("script").count(), 0, "no script on the page");
    const button = await page.locator("button.btn").evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
    assert.deepEqual(button, ["rgb(26, 75, 140)", "rgb(255, 255, 255)"], "partner colour applied through the nonce'd style, white text");
    await page.getByRole("button", { name: "Continuer" }).click();
    await page.waitForURL(/\/card\?/);
    await page.getByLabel("Numéro de carte").fill("4242 4242 4242 4242");
    await page.getByLabel(/Expiration/).fill("12/34");
    await page.getByLabel(/Cryptogramme/).fill("123");
    await page.getByRole("button", { name: /^Payer/ }).click();
    await expectHeading(page, "Paiement reçu", 20_000);
    assert.deepEqual(requests.filter((u) => new URL(u).origin !== origin), [], "no third-party request");
    assert.deepEqual(problems, [], "no CSP or console error");
    assert.equal((await a.ok(200, "GET", `/v1/invoices/${nojs.invoice.id}`, undefined, entity)).status, "paid");
    await strict.close();
  }

  // axe needs its script injected: the audit contexts bypass CSP for that (and only that).
  const ctx = await browser.newContext({ ...phone, bypassCSP: true });
  const page = await ctx.newPage();

  // 1. The link, opened on a phone: the method choice.
  await page.goto(main.link.payment_page_url);
  await expectHeading(page, "Payer votre facture");
  assert.match(await page.locator("main").innerText(), /422,00\s€[\s\S]*FAC-\d{4}-\d{5}[\s\S]*Jean Dupont/);
  await shot(page, "choice");
  await axeCheck(page, "choice (fr)");

  // 2. "Virement SEPA" → the sandbox bank's consent screen.
  await page.getByLabel(/Virement SEPA/).check();
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/bank\?/);
  await expectHeading(page, "Banque de test");
  await shot(page, "bank");
  await axeCheck(page, "bank consent");

  // A wrong strong-authentication code: the screen again, with the error tied to the field.
  await page.getByLabel(/Code d'authentification forte/).fill("000000");
  await page.getByRole("button", { name: "Autoriser le virement" }).click();
  await page.locator("#sca-e").waitFor();
  assert.equal(await page.getByLabel(/Code d'authentification forte/).getAttribute("aria-invalid"), "true");
  await axeCheck(page, "bank consent, wrong code");

  // 3. Account …123 and the code 123456: back on the page, the transfer is processing. The
  // page's automatic refresh is held while axe audits it, then let through.
  let release;
  const held = new Promise((r) => (release = r));
  await page.route((url) => url.pathname === `/p/${main.token}` && url.searchParams.has("poll"), async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel(/FR76 1234 5678 9012 3456 7890 123/).check();
  await page.getByLabel(/Code d'authentification forte/).fill("123456");
  await page.getByRole("button", { name: "Autoriser le virement" }).click();
  await expectHeading(page, "Paiement en cours", 5000);
  await shot(page, "processing");
  await axeCheck(page, "processing");
  release();

  // 4. Initiated → authorized → settled within seconds, by the intent's alarm; the page follows.
  await expectHeading(page, "Paiement reçu", 20_000);
  await page.unrouteAll();
  await shot(page, "success");
  await axeCheck(page, "success");
  const back = await page.getByRole("link", { name: "Retourner sur le site" }).getAttribute("href");
  const backUrl = new URL(back);
  assert.equal(backUrl.origin + backUrl.pathname, "https://votreapp.example/payment/done");
  assert.deepEqual(Object.fromEntries(backUrl.searchParams), { order: "42", payment_intent: main.link.payment_intent_id, status: "succeeded" });

  const invoice = await a.ok(200, "GET", `/v1/invoices/${main.invoice.id}`, undefined, entity);
  assert.equal(invoice.status, "paid");
  assert.equal(invoice.amount_due, 0);
  const intent = await a.ok(200, "GET", `/v1/payment_intents/${main.link.payment_intent_id}`, undefined, entity);
  assert.equal(intent.status, "succeeded");
  assert.equal(intent.aiia_status, "settled");
  const payments = await a.ok(200, "GET", `/v1/invoices/${main.invoice.id}/payments`, undefined, entity);
  assert.equal(payments.data.length, 1, "the money moved once");

  // English, from the switch on the page.
  const en = await link();
  await page.goto(`${en.link.payment_page_url}?lang=en`);
  await expectHeading(page, "Pay your invoice");
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  await axeCheck(page, "choice (en)");

  // An overdue invoice paid in part: the overdue notice, the invoice total and what will remain.
  const owing = await link(undefined, { amount: 10000, dueDate: "2024-03-31" });
  for (const [lang, pattern] of [["fr", /Facture en retard de paiement depuis le 31 mars 2024\.[\s\S]*100,00\s€[\s\S]*Total de la facture\s*422,00\s€[\s\S]*Reste dû après ce paiement\s*322,00\s€/], ["en", /Invoice overdue since 31 March 2024\.[\s\S]*€100\.00[\s\S]*Invoice total\s*€422\.00[\s\S]*Left to pay after this payment\s*€322\.00/]]) {
    await page.goto(`${owing.link.payment_page_url}?lang=${lang}`);
    await expectHeading(page, lang === "fr" ? "Payer votre facture" : "Pay your invoice");
    assert.match(await page.locator("main").innerText(), pattern);
    if (lang === "fr") await shot(page, "overdue-partial");
    await axeCheck(page, `overdue, part of the invoice (${lang})`);
  }

  // Failure (insufficient funds), with the retry form.
  const failed = await link();
  await a.ok(200, "POST", `/v1/sandbox/payment_intents/${failed.link.payment_intent_id}/simulate`, { outcome: "insufficient_funds" });
  await page.goto(failed.link.payment_page_url);
  await expectHeading(page, "Le paiement n'a pas abouti");
  assert.match(await page.locator("main").innerText(), /fonds insuffisants/);
  await shot(page, "failed");
  await axeCheck(page, "failed");

  // Expired and revoked links.
  const expired = await link();
  await a.ok(200, "POST", `/v1/sandbox/payment_intents/${expired.link.payment_intent_id}/simulate`, { outcome: "expired" });
  assert.equal((await page.goto(expired.link.payment_page_url)).status(), 410);
  await expectHeading(page, "Ce lien de paiement a expiré");
  await shot(page, "expired");
  await axeCheck(page, "expired");

  const revoked = await link();
  await a.ok(200, "DELETE", `/v1/payment_links/${revoked.link.id}`, undefined, entity);
  assert.equal((await page.goto(revoked.link.payment_page_url)).status(), 410);
  await expectHeading(page, "Ce lien de paiement a été annulé");
  await axeCheck(page, "revoked");

  // Card: the form (and its error state), then 3-D Secure, then success.
  const card = await link(["card"]);
  await page.goto(card.link.payment_page_url);
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/card\?/);
  await expectHeading(page, "Paiement par carte");
  await shot(page, "card");
  await axeCheck(page, "card form");
  await page.getByLabel("Numéro de carte").fill("4242 4242 4242 4241");
  await page.getByLabel(/Expiration/).fill("12/34");
  await page.getByLabel(/Cryptogramme/).fill("123");
  await page.getByRole("button", { name: /^Payer/ }).click();
  await page.locator("#number-e").waitFor();
  await axeCheck(page, "card form, invalid number");
  await page.getByLabel("Numéro de carte").fill("4000 0000 0000 3220");
  await page.getByLabel(/Cryptogramme/).fill("123");
  await page.getByRole("button", { name: /^Payer/ }).click();
  await page.waitForURL(/\/card\/3ds\?/);
  await expectHeading(page, "Vérification 3-D Secure");
  await shot(page, "3ds");
  await axeCheck(page, "3-D Secure");
  await page.getByLabel("Code reçu par SMS").fill("123456");
  await page.getByRole("button", { name: "Valider" }).click();
  await expectHeading(page, "Paiement reçu", 20_000);
  const cardInvoice = await a.ok(200, "GET", `/v1/invoices/${card.invoice.id}`, undefined, entity);
  assert.equal(cardInvoice.status, "paid");

  // An unknown link.
  assert.equal((await page.goto(`${base}/p/ThisTokenDoesNotExist0000000000000`)).status(), 404);
  await expectHeading(page, "Lien de paiement introuvable");
  await axeCheck(page, "not found");

  await ctx.close();
  console.log(`screenshots: ${join(SHOTS, "pay-link-*.png")}`);
});

test("a payment request on the short page, and a card hold authorized with 4242 then released; every screen passes axe", { skip: chromiumMissing ? "no Chromium" : false, timeout: 90_000 }, async () => {
  const { base } = server;
  const { a, entity, request } = await seed(base);
  const ctx = await browser.newContext({ ...phone, bypassCSP: true });
  const page = await ctx.newPage();

  // The short page: the amount, what it is for, the method choice; no summary table.
  const short = await request({ page: "short" });
  await page.goto(short.link.payment_page_url);
  await expectHeading(page, "Demande de paiement");
  assert.match(await page.locator("main").innerText(), /45,00\s€[\s\S]*Stage de voile, juillet[\s\S]*Choisissez votre moyen de paiement/);
  assert.equal(await page.locator("main dl").count(), 0, "no summary table on the short page");
  await shot(page, "request-short");
  await axeCheck(page, "request, short page (fr)");
  await page.goto(`${short.link.payment_page_url}?lang=en`);
  await expectHeading(page, "Payment request");
  await axeCheck(page, "request, short page (en)");

  // A card hold: said to be a hold before anything, "Autoriser" on the card screen, then authorized.
  const hold = await request({ amount: 15000, type: "preauth", description: "Caution location salle des fêtes, 14 juin" });
  await page.goto(hold.link.payment_page_url);
  await expectHeading(page, "Caution par carte");
  assert.match(await page.locator("main").innerText(), /Caution : votre carte est autorisée, pas débitée\.[\s\S]*6 jours et 12 heures[\s\S]*150,00\s€/);
  await shot(page, "hold-choice");
  await axeCheck(page, "hold, choice");
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.waitForURL(/\/card\?/);
  await expectHeading(page, "Caution par carte");
  await axeCheck(page, "hold, card form");
  await page.getByLabel("Numéro de carte").fill("4242 4242 4242 4242");
  await page.getByLabel(/Expiration/).fill("12/34");
  await page.getByLabel(/Cryptogramme/).fill("123");
  await page.getByRole("button", { name: /^Autoriser 150,00\s€$/ }).click();
  await expectHeading(page, "Caution enregistrée", 20_000);
  assert.match(await page.locator("main").innerText(), /Rien n'a été débité à ce stade\.[\s\S]*Montant autorisé[\s\S]*150,00\s€[\s\S]*Encaissable jusqu'au/);
  await shot(page, "hold-authorized");
  await axeCheck(page, "hold, authorized (fr)");
  const intent = await a.ok(200, "GET", `/v1/payment_intents/${hold.link.payment_intent_id}`, undefined, entity);
  assert.equal(intent.status, "requires_capture");
  assert.equal(intent.amount_authorized, 15000);
  assert.equal(intent.amount_received, 0, "nothing charged");
  await page.goto(`${hold.link.payment_page_url}?lang=en`);
  await expectHeading(page, "Hold registered");
  await axeCheck(page, "hold, authorized (en)");

  // Released by the organization: nothing was charged.
  await a.ok(200, "POST", `/v1/payment_intents/${hold.link.payment_intent_id}/cancel`, {}, entity);
  await page.goto(hold.link.payment_page_url);
  await expectHeading(page, "Caution libérée");
  await shot(page, "hold-released");
  await axeCheck(page, "hold, released");
  await ctx.close();
});
