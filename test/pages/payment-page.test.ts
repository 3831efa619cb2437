import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { Hono } from "hono";
import type { PageEnv } from "../../src/pages/env";
import { formatDate, formatMoney, pageLanguage } from "../../src/pages/i18n";
import { contrastRatio, DEFAULT_BRAND, palette } from "../../src/pages/theme";
import { returnHref } from "../../src/lib/page-urls";
import { SANDBOX_BANK_TIMING } from "../../src/providers/sandbox-bank";
import { Browser, h1, hiddenFields, text, type Page } from "./page-browser";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";

/**
 * The hosted payment page (/p/{token}) as a payer's browser uses it: plain GETs and form posts
 * through the real worker, with the CSRF cookie kept between requests like a browser would.
 * Setup goes through the partner API. Settlement steps are the intent's own alarm: one test
 * lets it fire on its own; the others bring its timers forward and run it (said where done).
 */

const BASE = env.PUBLIC_BASE_URL; // the page is served where payment_page_url points
const KB14 = 14 * 1024;
const EURO_422 = "422,00\u00a0€";

async function gzipSize(s: string): Promise<number> {
  const stream = new Blob([s]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

// ── worlds ─────────────────────────────────────────────────────────────────────────────

interface WorldOptions {
  payerName?: string;
  methods?: ("sepa_credit" | "card")[];
  returnUrl?: string | null;
  branding?: Record<string, string>;
}

/** Partner → organization → department → issued invoice (seed 001, 422,00 €) → payment link. */
async function world(options: WorldOptions = {}) {
  const t = await createPartner();
  const org = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, ...(options.branding ? { branding: options.branding } : {}) } }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department }), 201);
  const headers = { "x-entity-id": org.id };
  const body = seedInvoiceBody(dept.id);
  const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...body, payer: { ...body.payer, name: options.payerName ?? body.payer.name } } }), 201);
  const invoice = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
  const returnUrl = options.returnUrl === undefined ? "https://votreapp.fr/payment/success?order=42" : options.returnUrl;
  const link = await expectOk(
    await call("/v1/payment_links", {
      token: t.token,
      headers,
      body: { invoice_id: invoice.id, payment_methods: options.methods ?? ["sepa_credit", "card"], ...(returnUrl ? { return_url: returnUrl } : {}) },
    }),
    201,
  );
  const token = new URL(link.payment_page_url).pathname.split("/")[2]!;
  return {
    t,
    org,
    invoice,
    link,
    token,
    path: `/p/${token}`,
    intentId: link.payment_intent_id as string,
    getIntent: async () => expectOk(await call(`/v1/payment_intents/${link.payment_intent_id}`, { token: t.token, headers })),
    getInvoice: async () => expectOk(await call(`/v1/invoices/${invoice.id}`, { token: t.token, headers })),
    payments: async () => (await expectOk(await call(`/v1/invoices/${invoice.id}/payments`, { token: t.token, headers }))).data as { amount: number; method: string; status: string }[],
    simulate: async (outcome: string) => expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: t.token, body: { outcome } })),
    revoke: async () => expectOk(await call(`/v1/payment_links/${link.id}`, { method: "DELETE", token: t.token, headers })),
  };
}

type World = Awaited<ReturnType<typeof world>>;

/**
 * The intent's later provider steps (authorized, settled/rejected) are timers of its one alarm.
 * Instead of waiting seconds, this brings them due and runs the alarm (white-box, on purpose).
 */
async function settleNow(w: World) {
  const stub = env.PAYMENT_INTENT.getByName(w.intentId);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE timer LIKE '%provider_step%'");
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

/** Rows in the ledger (money moved) for the intent, straight from D1. */
async function ledgerRows(intentId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM payments WHERE payment_intent_id = ?").bind(intentId).first<{ n: number }>();
  return row!.n;
}

/** Opens the link, picks the method, and lands on the provider screen. */
async function chooseMethod(b: Browser, w: World, method: "sepa_credit" | "card") {
  const page = await b.get(w.path);
  expect(page.status).toBe(200);
  const res = await b.submit(page, `${w.path}/pay`, { method });
  expect(res.status, res.html).toBe(303);
  expect(res.location).toMatch(new RegExp(`^${w.path}/${method === "card" ? "card" : "bank"}\\?lang=fr&ref=sbx-`));
  return b.get(res.location!);
}

async function payByBank(b: Browser, w: World, account: string, sca = "123456") {
  const bank = await chooseMethod(b, w, "sepa_credit");
  expect(bank.status).toBe(200);
  return b.submit(bank, `${w.path}/bank`, { account, sca, action: "authorize" });
}

const IBAN_OK = "FR7612345678901234567890123";
const IBAN_NO_FUNDS = "FR7612345678901234567890124";
const IBAN_BLOCKED = "FR7612345678901234567890125";

// ── the states of GET /p/:token ─────────────────────────────────────────────────────────

describe("GET /p/:token", () => {
  it("shows the method choice: branding, invoice number, payer, amount, due date, allowed methods, in French by default", async () => {
    const w = await world({ branding: { display_name: "Ville de Lyon", primary_color: "#1A4B8C", support_email: "regies@mairie-lyon.fr" } });
    const b = new Browser();
    const page = await b.get(w.path);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html; charset=UTF-8/i);
    expect(page.html.startsWith("<!doctype html><html lang=\"fr\">")).toBe(true);
    expect(h1(page.html)).toBe("Payer votre facture");
    const body = text(page.html);
    for (const shown of ["Ville de Lyon", w.invoice.invoice_number, "Jean Dupont", EURO_422, "31 mars 2024", "Virement SEPA", "Carte bancaire", "regies@mairie-lyon.fr", "Mode test"]) {
      expect(body).toContain(shown);
    }
    expect(page.html).toContain("--b:#1a4b8c;--bt:#ffffff");
    expect(page.html).toContain('<input type="radio" name="method" value="sepa_credit" checked="" required=""/>');
    expect(page.html).toContain('<input type="radio" name="method" value="card" required=""/>');
    expect(hiddenFields(page.html, `${w.path}/pay`)).toEqual({ csrf: expect.stringMatching(/^[0-9a-f]{64}$/), version: "1", lang: "fr" });
    // No script at all; labelled radios in a fieldset with a legend.
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toMatch(/<fieldset><legend>Choisissez votre moyen de paiement<\/legend><label class="opt"><input type="radio"/);

    const cookie = page.headers.getSetCookie().find((c) => c.startsWith("__Host-pp_csrf="));
    expect(cookie).toMatch(/^__Host-pp_csrf=[A-Za-z0-9]{32}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    // A second visit keeps the browser's cookie.
    expect((await b.get(w.path)).headers.getSetCookie()).toEqual([]);
  });

  it("the CSRF cookie is __Host- prefixed: a bare pp_csrf cookie (one a sibling subdomain could plant) is not taken for it", async () => {
    const w = await world();
    // The attacker reads a form rendered for a cookie value of their choosing…
    const attacker = new Browser();
    attacker.cookies.set("pp_csrf", "A".repeat(32));
    const page = await attacker.get(w.path);
    const issued = attacker.cookies.get("__Host-pp_csrf");
    expect(issued, "the page sets its own __Host- cookie, ignoring the bare one").toMatch(/^[A-Za-z0-9]{32}$/);
    expect(issued).not.toBe("A".repeat(32));
    // …and plants that value as a bare pp_csrf cookie in the victim's browser: refused, nothing moves.
    const victim = new Browser();
    victim.cookies.set("pp_csrf", issued!);
    const post = await victim.submit(page, `${w.path}/pay`, { method: "sepa_credit" });
    expect(post.status).toBe(400);
    expect(h1(post.html)).toBe("Formulaire non valide");
    expect(await w.getIntent()).toMatchObject({ status: "created", version: 1 });
    // The __Host- cookie itself works.
    const own = await attacker.submit(page, `${w.path}/pay`, { method: "sepa_credit" });
    expect(own.status).toBe(303);
  });

  it.each([
    ["local development over http", "http://127.0.0.1:8787", {}, /^pp_csrf=[A-Za-z0-9]{32}; Path=\/; HttpOnly; SameSite=Strict$/],
    ["local development over https", "https://127.0.0.1:8787", {}, /^__Host-pp_csrf=[A-Za-z0-9]{32}; Path=\/; HttpOnly; Secure; SameSite=Strict$/],
    ["a deployed worker, even reached over http", "http://pay.example.fr", { ENVIRONMENT: "production" }, /^__Host-pp_csrf=[A-Za-z0-9]{32}; Path=\/; HttpOnly; Secure; SameSite=Strict$/],
  ])("CSRF cookie in %s", async (_label, origin, overrides, expected) => {
    const w = await world();
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${origin}${w.path}`), { ...env, ...overrides } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(expected)]);
  });

  it("offers only the methods the link allows", async () => {
    const w = await world({ methods: ["card"] });
    const page = await new Browser().get(w.path);
    expect(page.html).toContain('value="card" checked=""');
    expect(page.html).not.toContain('value="sepa_credit"');
  });

  it("escapes payer- and partner-supplied text", async () => {
    const w = await world({ payerName: "<script>alert(1)</script>", branding: { display_name: '"><img src=x onerror=alert(2)>' } });
    const page = await new Browser().get(w.path);
    expect(page.status).toBe(200);
    expect(page.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).not.toMatch(/<img/i);
    expect(page.html).not.toContain("onerror=alert(2)>");
  });

  it("sends the security headers: CSP with a per-response style nonce, no framing, no referrer, no caching", async () => {
    const w = await world();
    const b = new Browser();
    const pages = [await b.get(w.path), await b.get(w.path), await b.get("/p/NoSuchTokenNoSuchTokenNoSuchToken"), await b.request(`${w.path}/pay`, { method: "POST", form: { method: "card" } })];
    const nonces = new Set<string>();
    for (const page of pages) {
      const csp = page.headers.get("content-security-policy")!;
      const nonce = /style-src 'nonce-([A-Za-z0-9]+)'/.exec(csp)?.[1];
      expect(csp).toBe(`default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`);
      expect(page.html).toContain(`<style nonce="${nonce}">`);
      expect(page.html.match(/<style/g)).toHaveLength(1);
      expect(page.html).not.toMatch(/ style="/);
      nonces.add(nonce!);
      expect(page.headers.get("referrer-policy")).toBe("no-referrer");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect(page.headers.get("x-frame-options")).toBe("DENY");
      expect(page.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
      expect(page.headers.get("x-request-id")).toMatch(/^req_/);
    }
    expect(nonces.size).toBe(pages.length);
  });

  it.each([
    ["?lang=en", {}, "en"],
    ["", { "accept-language": "en-GB,en;q=0.9" }, "en"],
    ["", { "accept-language": "de-DE,en;q=0.5,fr;q=0.8" }, "fr"],
    ["?lang=fr", { "accept-language": "en-GB" }, "fr"],
    ["?lang=xx", {}, "fr"],
  ] as const)("speaks the payer's language (%s %j → %s)", async (query, headers, lang) => {
    const w = await world();
    const page = await new Browser(headers).get(`${w.path}${query}`);
    expect(page.html).toContain(`<html lang="${lang}">`);
    expect(page.headers.get("content-language")).toBe(lang);
    if (lang === "en") {
      expect(h1(page.html)).toBe("Pay your invoice");
      expect(text(page.html)).toContain("€422.00");
      expect(text(page.html)).toContain("31 March 2024");
      expect(page.html).toContain('hreflang="fr">Français</a>');
      expect(hiddenFields(page.html, `${w.path}/pay`).lang).toBe("en");
    } else {
      expect(h1(page.html)).toBe("Payer votre facture");
      expect(page.html).toContain('hreflang="en">English</a>');
    }
  });

  it("needs exactly one D1 round trip to render (Server-Timing)", async () => {
    const w = await world();
    const b = new Browser();
    const choice = await b.get(w.path);
    await w.simulate("succeeded");
    const success = await b.get(w.path);
    for (const page of [choice, success]) {
      const timing = page.headers.get("server-timing")!;
      expect(timing).toMatch(/^d1-1;desc="select";dur=[\d.]+, storage;desc="sequential round trips";dur=1$/);
    }
    // A form post: the same read, then one call to the intent's object.
    const other = await world();
    const posted = await b.submit(await b.get(other.path), `${other.path}/pay`, { method: "card" });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("server-timing")).toMatch(/^d1-1;desc="select";dur=[\d.]+, intent;desc="choose";dur=[\d.]+, storage;desc="sequential round trips";dur=2$/);
  });

  it("still renders when the payer cannot be decrypted (the name is left out)", async () => {
    const w = await world();
    await env.DB.prepare("UPDATE invoices SET payer_encrypted = ? WHERE id = ?").bind("v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", w.invoice.id).run();
    const page = await new Browser().get(w.path);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe("Payer votre facture");
    expect(text(page.html)).not.toContain("Payeur");
    expect(text(page.html)).toContain(EURO_422);
  });

  it("answers an unknown link with a 404 HTML page, never JSON or a 500", async () => {
    for (const path of ["/p", "/p/NoSuchTokenNoSuchTokenNoSuchToken", "/p/short", "/p/%3Cscript%3E", "/p/a/b/c/d", "/p/NoSuchTokenNoSuchTokenNoSuchToken/bank", "/p/"]) {
      const page = await new Browser().get(path);
      expect(page.status, path).toBe(404);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(h1(page.html)).toBe("Lien de paiement introuvable");
      expect(page.html).not.toContain("<script");
    }
    const post = await new Browser().request("/p/%3Cscript%3E/pay", { method: "POST", form: { method: "card" } });
    expect(post.status).toBe(404);
    const big = await new Browser().request("/p/NoSuchTokenNoSuchTokenNoSuchToken/pay", { method: "POST", form: { method: "x".repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(h1(big.html)).toBe("Formulaire non valide");
    const en = await new Browser().get("/p/NoSuchTokenNoSuchTokenNoSuchToken?lang=en");
    expect(h1(en.html)).toBe("Payment link not found");
  });

  it("serves the QR code of qr_code_data as SVG, cached privately and briefly", async () => {
    const w = await world();
    expect(w.link.qr_code_svg_url).toBe(`${BASE}${w.path}/qr.svg`);
    const res = await exports.default.fetch(new Request(w.link.qr_code_svg_url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    // Not public for a day: a shared cache would keep serving it after the link is revoked.
    expect(res.headers.get("cache-control")).toBe("private, max-age=300");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    // An image runs nothing and partner sites embed it: no framing of it, no cross-origin lock.
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("cross-origin-resource-policy")).toBeNull();
    const svg = await res.text();
    expect(svg).toMatch(/^<svg version="1\.1" xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" {2}preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="qrcode-title"><title id="qrcode-title">[^<]+<\/title><rect [^>]+\/><path d="(M\d+,\d+l4,0 0,4 -4,0 0,-4z )+" stroke="transparent" fill="black"\/><\/svg>$/);
    // A QR code of version v has 17 + 4v modules a side (cell 4 px, margin 16 px each side).
    const side = Number(/viewBox="0 0 (\d+)/.exec(svg)![1]);
    expect(((side - 32) / 4 - 17) % 4).toBe(0);

    const unknown = await exports.default.fetch(new Request(`${BASE}/p/NoSuchTokenNoSuchTokenNoSuchToken/qr.svg`));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("cache-control")).toBe("no-store");
  });
});

// ── SEPA transfer through the sandbox bank (seed 001 "Étape 5") ─────────────────────────

describe("sandbox bank", () => {
  it("FR76…123: authorized with strong authentication, processing, then settled by the intent's own alarm within seconds; the invoice is paid", async () => {
    const w = await world();
    const b = new Browser();
    const bank = await chooseMethod(b, w, "sepa_credit");
    expect(bank.status).toBe(200);
    expect(h1(bank.html)).toBe("Banque de test : autoriser le virement");
    const shown = text(bank.html);
    expect(shown).toContain("FR76 1234 5678 9012 3456 7890 123 le virement aboutit");
    expect(shown).toContain("FR76 1234 5678 9012 3456 7890 124 refusé : fonds insuffisants");
    expect(shown).toContain("FR76 1234 5678 9012 3456 7890 125 refusé : compte bloqué");
    expect(bank.html).toContain('<label class="f" for="sca">');
    expect(bank.html).toContain('autocomplete="one-time-code"');
    expect(bank.html).toContain('aria-describedby="sca-h"');
    expect(bank.html).toContain('<p class="hint" id="sca-h">Code de test : 123456</p>');
    expect(bank.html).toContain('value="authorize">Autoriser le virement</button>');
    expect(bank.html).toContain('value="cancel" formnovalidate="">Annuler</button>');
    expect(await w.getIntent()).toMatchObject({ status: "pending", selected_payment_method: "sepa_credit" });

    const authorized = await b.submit(bank, `${w.path}/bank`, { account: IBAN_OK, sca: "123456", action: "authorize" });
    expect(authorized.status).toBe(303);
    expect(authorized.location).toBe(`${w.path}?lang=fr`);
    const processing = await b.get(authorized.location!);
    expect(processing.status).toBe(200);
    expect(h1(processing.html)).toBe("Paiement en cours");
    expect(processing.html).toContain('role="status"');
    expect(processing.headers.get("refresh")).toBe(`2; url=${w.path}?lang=fr&poll=1`);
    expect(processing.html).toContain(`<a href="${w.path}?lang=fr&amp;refresh=off">Arrêter l&#39;actualisation automatique</a>`);
    expect(await w.getIntent()).toMatchObject({ status: "processing", aiia_status: "initiated" });

    // The object's own alarm applies authorized, then settled, at the times the bank gave (within
    // seconds). Its clock is moved there instead of waiting; the timers stay as they were armed.
    const stub = env.PAYMENT_INTENT.getByName(w.intentId);
    const dueAt = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM timers WHERE timer LIKE '%provider_step%' ORDER BY due_at").toArray().map((t) => t.due_at),
    );
    expect(dueAt).toHaveLength(2);
    expect(dueAt[1]! - Date.now()).toBeLessThanOrEqual(SANDBOX_BANK_TIMING.settledAfterMs);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { now: () => number }).now = () => dueAt[1]!;
    });
    // If the runtime is already running the alarm (the first step came due), run the handler too: its drain waits for the records in flight.
    if (!(await runDurableObjectAlarm(stub))) await runInDurableObject(stub, (instance) => instance.alarm());
    const page = await b.get(`${w.path}?lang=fr&poll=1`);
    expect(h1(page.html)).toBe("Paiement reçu");
    expect(page.headers.get("refresh")).toBeNull();
    expect(text(page.html)).toContain("Montant payé 422,00");
    expect(text(page.html)).toContain("Moyen de paiement Virement SEPA");
    expect(page.html).toContain(`<a class="btn" href="https://votreapp.fr/payment/success?order=42&amp;payment_intent=${w.intentId}&amp;status=succeeded">Retourner sur le site</a>`);

    expect(await w.getIntent()).toMatchObject({ status: "succeeded", aiia_status: "settled", amount_received: 42200 });
    expect(await w.getInvoice()).toMatchObject({ status: "paid", amount_paid: 42200, amount_due: 0 });
    expect(await w.payments()).toEqual([expect.objectContaining({ amount: 42200, method: "sepa_credit" })]);
  });

  it.each([
    [IBAN_NO_FUNDS, "insufficient_funds", "Le compte n'est pas suffisamment approvisionné (fonds insuffisants)."],
    [IBAN_BLOCKED, "account_blocked", "Le compte à débiter est bloqué."],
  ])("%s: rejected with its reason; a retry from the same link then succeeds", async (iban, code, reason) => {
    const w = await world();
    const b = new Browser();
    expect((await payByBank(b, w, iban)).status).toBe(303);
    await settleNow(w);
    const failed = await b.get(w.path);
    expect(failed.status).toBe(200);
    expect(h1(failed.html)).toBe("Le paiement n'a pas abouti");
    expect(failed.html).toContain('role="alert"');
    expect(text(failed.html)).toContain(reason);
    expect(text(failed.html)).toContain("Aucun montant n'a été débité.");
    expect(failed.html).toContain(`href="https://votreapp.fr/payment/success?order=42&amp;payment_intent=${w.intentId}&amp;status=failed"`);
    expect(await w.getIntent()).toMatchObject({ status: "failed", failure_code: code, aiia_status: "rejected" });
    // The failed transfer is a failed ledger entry: nothing received.
    expect(await w.payments()).toEqual([expect.objectContaining({ status: "failed", method: "sepa_credit" })]);

    // The failure page carries the method form again, for the intent's current version.
    const retry = await b.submit(failed, `${w.path}/pay`, { method: "sepa_credit" });
    expect(retry.status).toBe(303);
    const bank = await b.get(retry.location!);
    expect((await b.submit(bank, `${w.path}/bank`, { account: IBAN_OK, sca: "123456", action: "authorize" })).status).toBe(303);
    await settleNow(w);
    expect(h1((await b.get(w.path)).html)).toBe("Paiement reçu");
    expect(await w.getIntent()).toMatchObject({ status: "succeeded", failure_code: null });
    expect(await w.getInvoice()).toMatchObject({ status: "paid" });
    expect(await ledgerRows(w.intentId)).toBe(1);
  });

  it("a wrong strong-authentication code shows the consent screen again with the error; nothing moves", async () => {
    const w = await world();
    const b = new Browser();
    const res = await payByBank(b, w, IBAN_NO_FUNDS, "654321");
    expect(res.status).toBe(422);
    expect(h1(res.html)).toBe("Banque de test : autoriser le virement");
    expect(res.html).toContain('aria-invalid="true" aria-describedby="sca-h sca-e"');
    expect(res.html).toContain('<p class="err" id="sca-e" role="alert">Code incorrect.');
    expect(res.html).toContain(`name="account" value="${IBAN_NO_FUNDS}" checked=""`);
    const intent = await w.getIntent();
    expect(intent).toMatchObject({ status: "pending", aiia_status: null });

    // The re-rendered form still works.
    expect((await b.submit(res, `${w.path}/bank`, { account: IBAN_OK, sca: "123456", action: "authorize" })).status).toBe(303);
    expect(await w.getIntent()).toMatchObject({ status: "processing", version: intent.version + 1 });
  });

  it("Annuler at the bank goes back to the method choice; nothing moves", async () => {
    const w = await world();
    const b = new Browser();
    const bank = await chooseMethod(b, w, "sepa_credit");
    const before = await w.getIntent();
    const res = await b.submit(bank, `${w.path}/bank`, { action: "cancel" });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${w.path}?lang=fr`);
    expect(h1((await b.get(res.location!)).html)).toBe("Payer votre facture");
    expect(await w.getIntent()).toEqual(before);
  });

  it("the bank screen is only for a pending SEPA attempt: otherwise it sends the payer back to the page", async () => {
    const w = await world();
    const res = await new Browser().get(`${w.path}/bank`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${w.path}?lang=fr`);
  });
});

// ── card through the sandbox acquirer ──────────────────────────────────────────────────

describe("sandbox card", () => {
  const CARD = { expiry: "12/34", cvc: "123" };

  it("4242…: the card form, then processing, then captured: the invoice is paid; only the last four digits are kept", async () => {
    const w = await world();
    const b = new Browser();
    const form = await chooseMethod(b, w, "card");
    expect(h1(form.html)).toBe("Paiement par carte");
    for (const [id, autocomplete] of [["number", "cc-number"], ["expiry", "cc-exp"], ["cvc", "cc-csc"]]) {
      expect(form.html).toContain(`<label class="f" for="${id}">`);
      expect(form.html).toMatch(new RegExp(`id="${id}" name="${id}" type="text" inputmode="numeric" autocomplete="${autocomplete}"`));
    }
    const res = await b.submit(form, `${w.path}/card`, { number: "4242 4242 4242 4242", ...CARD });
    expect(res.status).toBe(303);
    expect(h1((await b.get(res.location!)).html)).toBe("Paiement en cours");
    await settleNow(w);
    const done = await b.get(w.path);
    expect(h1(done.html)).toBe("Paiement reçu");
    expect(text(done.html)).toContain("Moyen de paiement Carte bancaire");
    const intent = await w.getIntent();
    expect(intent).toMatchObject({ status: "succeeded", selected_payment_method: "card", provider_status: "captured ••••4242" });
    expect(JSON.stringify(intent)).not.toContain("4242424242424242");
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM audit_logs WHERE changes LIKE '%4242424242424242%'").first<{ n: number }>();
    expect(stored!.n).toBe(0);
    expect(await w.getInvoice()).toMatchObject({ status: "paid" });
  });

  it("4000…0002: declined at once, with the reason, and the form to try again", async () => {
    const w = await world();
    const b = new Browser();
    const form = await chooseMethod(b, w, "card");
    const res = await b.submit(form, `${w.path}/card`, { number: "4000000000000002", ...CARD });
    expect(res.status).toBe(303);
    const failed = await b.get(res.location!);
    expect(h1(failed.html)).toBe("Le paiement n'a pas abouti");
    expect(text(failed.html)).toContain("La carte a été refusée par la banque émettrice.");
    expect(failed.html).toContain(`action="${w.path}/pay"`);
    expect(await w.getIntent()).toMatchObject({ status: "failed", failure_code: "card_declined" });
    expect(await ledgerRows(w.intentId)).toBe(0);
  });

  it.each([
    ["123456", "Paiement reçu", "succeeded"],
    ["000000", "Le paiement n'a pas abouti", "failed"],
  ])("4000…3220: 3-D Secure challenge with code %s → %s", async (code, heading, status) => {
    const w = await world();
    const b = new Browser();
    const form = await chooseMethod(b, w, "card");
    const res = await b.submit(form, `${w.path}/card`, { number: "4000 0000 0000 3220", ...CARD });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(new RegExp(`^${w.path}/card/3ds\\?lang=fr&ref=sbx-card-\\w+&card=3220\\.[0-9a-f]{64}$`));
    const challenge = await b.get(res.location!);
    expect(challenge.status).toBe(200);
    expect(h1(challenge.html)).toBe("Vérification 3-D Secure");
    expect(text(challenge.html)).toContain("Carte se terminant par 3220");
    expect(challenge.html).not.toContain("4000000000003220");
    expect(challenge.html).not.toContain("4000 0000 0000 3220");
    const done = await b.submit(challenge, `${w.path}/card/3ds`, { code });
    expect(done.status).toBe(303);
    await b.get(done.location!);
    if (status === "succeeded") await settleNow(w);
    const page = await b.get(w.path);
    expect(h1(page.html)).toBe(heading);
    if (status === "failed") expect(text(page.html)).toContain("L'authentification 3-D Secure a échoué.");
    expect(await w.getIntent()).toMatchObject({ status, ...(status === "failed" ? { failure_code: "authentication_failed" } : {}) });
  });

  it.each([
    ["number", { number: "4242 4242 4242 4241", ...CARD }, "Numéro de carte non valide."],
    ["expiry", { number: "4242424242424242", expiry: "13/30", cvc: "123" }, "Date d'expiration non valide ou dépassée (format MM/AA)."],
    ["cvc", { number: "4242424242424242", expiry: "12/34", cvc: "12" }, "Cryptogramme non valide (3 ou 4 chiffres)."],
  ])("an invalid %s: the form again with the error on that field, nothing moves, the card number not echoed", async (field, card, message) => {
    const w = await world();
    const b = new Browser();
    const form = await chooseMethod(b, w, "card");
    const before = await w.getIntent();
    const res = await b.submit(form, `${w.path}/card`, card);
    expect(res.status).toBe(422);
    expect(res.html).toContain(`<p class="err" id="${field}-e" role="alert">${message.replaceAll("'", "&#39;")}</p>`);
    expect(res.html).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true" aria-describedby="[^"]*${field}-e"`));
    expect(res.html).not.toContain(card.number);
    expect(res.html).not.toContain(card.number.replaceAll(" ", ""));
    expect(await w.getIntent()).toEqual(before);
  });

  it("a 3-D Secure form pointing at another card is refused (400) and nothing moves", async () => {
    const w = await world();
    const b = new Browser();
    const form = await chooseMethod(b, w, "card");
    const res = await b.submit(form, `${w.path}/card`, { number: "4000000000003220", ...CARD });
    const challenge = await b.get(res.location!);
    const forged = await b.submit(challenge, `${w.path}/card/3ds`, { code: "123456", card: `4242.${"0".repeat(64)}` });
    expect(forged.status).toBe(400);
    expect(h1(forged.html)).toBe("Formulaire non valide");
    const url = new URL(res.location!, BASE);
    url.searchParams.set("card", `4242.${url.searchParams.get("card")!.split(".")[1]}`);
    expect((await b.get(`${url.pathname}${url.search}`)).status).toBe(400);
    expect(await w.getIntent()).toMatchObject({ status: "pending" });
  });
});

// ── forms that are forged, tampered with or replayed ───────────────────────────────────

describe("forms", () => {
  it("a tampered form (no cookie, wrong csrf, altered version, another link's csrf, no body) → 400 page; nothing moves", async () => {
    const w = await world();
    const other = await world();
    const b = new Browser();
    const page = await b.get(w.path);
    const fields = hiddenFields(page.html, `${w.path}/pay`);
    const otherPage = await b.get(other.path);
    const before = await w.getIntent();

    const attempts: [string, () => Promise<Page>][] = [
      ["no cookie", () => new Browser().request(`${w.path}/pay`, { method: "POST", form: { ...fields, method: "sepa_credit" } })],
      ["wrong csrf", () => b.request(`${w.path}/pay`, { method: "POST", form: { ...fields, csrf: "0".repeat(64), method: "sepa_credit" } })],
      ["missing csrf", () => b.request(`${w.path}/pay`, { method: "POST", form: { version: fields.version!, lang: "fr", method: "sepa_credit" } })],
      ["altered version", () => b.request(`${w.path}/pay`, { method: "POST", form: { ...fields, version: "2", method: "sepa_credit" } })],
      ["another link's csrf", () => b.request(`${w.path}/pay`, { method: "POST", form: { ...hiddenFields(otherPage.html, `${other.path}/pay`), method: "sepa_credit" } })],
      ["another browser's cookie", async () => {
        const stranger = new Browser();
        await stranger.get(w.path);
        return stranger.request(`${w.path}/pay`, { method: "POST", form: { ...fields, method: "sepa_credit" } });
      }],
      ["JSON body", () => b.request(`${w.path}/pay`, { method: "POST", body: JSON.stringify({ ...fields, method: "card" }), headers: { "content-type": "application/json" } })],
      ["no body", () => b.request(`${w.path}/pay`, { method: "POST" })],
      ["a method the link does not allow", () => b.request(`${w.path}/pay`, { method: "POST", form: { ...fields, method: "cheque" } })],
    ];
    for (const [label, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, label).toBe(400);
      expect(h1(res.html), label).toBe("Formulaire non valide");
      expect(res.html, label).toContain(`<a class="btn" href="${w.path}?lang=fr">Revenir à la page de paiement</a>`);
    }
    expect(await w.getIntent()).toEqual(before);
    const bankPost = await b.request(`${w.path}/bank`, { method: "POST", form: { ...fields, csrf: "f".repeat(64), account: IBAN_OK, sca: "123456" } });
    expect(bankPost.status).toBe(400);
    expect(await w.getIntent()).toEqual(before);
    expect(await ledgerRows(w.intentId)).toBe(0);
  });

  it("a replayed method form → 409 'already used' with a link to the current state", async () => {
    const w = await world();
    const b = new Browser();
    const page = await b.get(w.path);
    expect((await b.submit(page, `${w.path}/pay`, { method: "sepa_credit" })).status).toBe(303);
    const intent = await w.getIntent();
    const again = await b.submit(page, `${w.path}/pay`, { method: "card" });
    expect(again.status).toBe(409);
    expect(h1(again.html)).toBe("Ce formulaire a déjà été utilisé");
    expect(again.html).toContain(`<a class="btn" href="${w.path}?lang=fr">Voir l&#39;état du paiement</a>`);
    expect(await w.getIntent()).toEqual(intent);
  });

  it("a replayed bank authorization → 409, and the money moves once (one ledger row)", async () => {
    const w = await world();
    const b = new Browser();
    const bank = await chooseMethod(b, w, "sepa_credit");
    const form = { account: IBAN_OK, sca: "123456", action: "authorize" };
    expect((await b.submit(bank, `${w.path}/bank`, form)).status).toBe(303);
    const replay = await b.submit(bank, `${w.path}/bank`, form);
    expect(replay.status).toBe(409);
    expect(h1(replay.html)).toBe("Ce formulaire a déjà été utilisé");
    await settleNow(w);
    // Replayed after success too (the same form, again and concurrently): still once.
    const replays = await Promise.all([1, 2, 3].map(() => b.submit(bank, `${w.path}/bank`, form)));
    expect(replays.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(await ledgerRows(w.intentId)).toBe(1);
    expect(await w.getInvoice()).toMatchObject({ status: "paid", amount_paid: 42200 });
  });

  it("concurrent submissions of one authorization: exactly one is applied", async () => {
    const w = await world();
    const b = new Browser();
    const bank = await chooseMethod(b, w, "sepa_credit");
    const results = await Promise.all(Array.from({ length: 5 }, () => b.submit(bank, `${w.path}/bank`, { account: IBAN_OK, sca: "123456", action: "authorize" })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409, 409, 409]);
    await settleNow(w);
    expect(await ledgerRows(w.intentId)).toBe(1);
  });

  it("GET on a form's address goes back to the page", async () => {
    const w = await world();
    const res = await new Browser().get(`${w.path}/pay?lang=en`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${w.path}?lang=en`);
  });
});

// ── processing, closed links, live mode ────────────────────────────────────────────────

describe("processing page refresh", () => {
  it("refreshes itself (Refresh header) with a way to stop, and stops after a bounded number of polls", async () => {
    const w = await world();
    const b = new Browser();
    await payByBank(b, w, IBAN_OK);
    const auto = await b.get(`${w.path}?lang=en&poll=7`);
    expect(h1(auto.html)).toBe("Payment in progress");
    expect(auto.headers.get("refresh")).toBe(`2; url=${w.path}?lang=en&poll=8`);
    expect(auto.html).not.toContain("http-equiv");

    const stopped = await b.get(`${w.path}?lang=en&refresh=off`);
    expect(stopped.headers.get("refresh")).toBeNull();
    expect(text(stopped.html)).toContain("Automatic refresh is stopped.");
    expect(stopped.html).toContain(`<a class="btn" href="${w.path}?lang=en&amp;refresh=off">Refresh the status</a>`);
    expect(stopped.html).toContain(`<a href="${w.path}?lang=en">Resume automatic refresh</a>`);

    const exhausted = await b.get(`${w.path}?lang=en&poll=60`);
    expect(exhausted.headers.get("refresh")).toBeNull();
    expect(text(exhausted.html)).toContain("You may close this page");
  });
});

describe("closed links", () => {
  it("expired → 410 page with the way back (status=canceled); its forms move nothing", async () => {
    const w = await world();
    const b = new Browser();
    const open = await b.get(w.path);
    await w.simulate("expired");
    const page = await b.get(w.path);
    expect(page.status).toBe(410);
    expect(h1(page.html)).toBe("Ce lien de paiement a expiré");
    expect(text(page.html)).toContain("Aucun paiement n'a été effectué.");
    expect(page.html).toContain(`href="https://votreapp.fr/payment/success?order=42&amp;payment_intent=${w.intentId}&amp;status=canceled"`);
    expect(page.html).not.toContain("<form");
    const post = await b.submit(open, `${w.path}/pay`, { method: "sepa_credit" });
    expect(post.status).toBe(410);
    expect(h1(post.html)).toBe("Ce lien de paiement a expiré");
    expect(await w.getIntent()).toMatchObject({ status: "canceled" });
  });

  it("past its expires_at before the expiry ran: shown expired, and not payable", async () => {
    const w = await world();
    const b = new Browser();
    const open = await b.get(w.path);
    // The link's expiry moved into the past in D1 only: the object's alarm has not run yet.
    await env.DB.prepare("UPDATE payment_links SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), w.link.id).run();
    expect((await b.get(w.path)).status).toBe(410);
    expect((await b.submit(open, `${w.path}/pay`, { method: "sepa_credit" })).status).toBe(410);
    expect(await w.getIntent()).toMatchObject({ status: "created", version: 1 });
  });

  it("revoked → 410 page; its forms move nothing", async () => {
    const w = await world({ returnUrl: null });
    const b = new Browser();
    const open = await b.get(w.path);
    await w.revoke();
    const page = await b.get(w.path);
    expect(page.status).toBe(410);
    expect(h1(page.html)).toBe("Ce lien de paiement a été annulé");
    expect(page.html).not.toContain("Retourner sur le site"); // no return_url
    expect((await b.submit(open, `${w.path}/pay`, { method: "card" })).status).toBe(410);
    expect(await w.getIntent()).toMatchObject({ status: "canceled" });
  });

  it.each([
    ["revoked", "Ce lien de paiement a été annulé", (w: World) => w.revoke()],
    ["expired", "Ce lien de paiement a expiré", (w: World) => w.simulate("expired")],
    ["past its expires_at", "Ce lien de paiement a expiré", (w: World) => env.DB.prepare("UPDATE payment_links SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), w.link.id).run()],
  ] as const)("%s: its QR code is no longer served; the QR URL answers like the page (410, not cached)", async (_label, heading, close) => {
    const w = await world();
    expect((await new Browser().get(`${w.path}/qr.svg`)).status).toBe(200);
    await close(w);
    const qr = await new Browser().get(`${w.path}/qr.svg`);
    expect(qr.status).toBe(410);
    expect(qr.headers.get("content-type")).toMatch(/^text\/html/);
    expect(qr.html).not.toContain("qrcode-title"); // the page's own icons aside, no QR code
    expect(h1(qr.html)).toBe(heading);
    expect(qr.headers.get("cache-control")).toBe("no-store");
  });

  it("live mode: no live provider yet → a clear 503 page, nothing moves; no sandbox screens", async () => {
    const t: Tenant = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const org = await expectOk(await call("/v1/organizations", { token: live, body: { ...VALID_ORGANIZATION, address: SEED.organization.address } }), 201);
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189" } }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
    // The operator's KYC decision (no API for it yet).
    await env.DB.prepare("UPDATE kyc_verifications SET status = 'verified' WHERE id = ?").bind(kyc.id).run();
    const headers = { "x-entity-id": org.id };
    const draft = await expectOk(await call("/v1/invoices", { token: live, headers, body: { ...seedInvoiceBody(dept.id), due_date: "2099-01-01" } }), 201);
    const invoice = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: live, headers }));
    const link = await expectOk(await call("/v1/payment_links", { token: live, headers, body: { invoice_id: invoice.id, payment_methods: ["sepa_credit"] } }), 201);
    const path = new URL(link.payment_page_url).pathname;

    const b = new Browser();
    const page = await b.get(path);
    expect(page.status).toBe(200);
    expect(text(page.html)).not.toContain("Mode test");
    const res = await b.submit(page, `${path}/pay`, { method: "sepa_credit" });
    expect(res.status).toBe(503);
    expect(h1(res.html)).toBe("Moyen de paiement indisponible");
    expect((await call(`/v1/payment_intents/${link.payment_intent_id}`, { token: live, headers })).body).toMatchObject({ status: "created", version: 1 });
    expect((await b.get(`${path}/bank`)).status).toBe(404);
    expect((await b.get(`${path}/card`)).status).toBe(404);
  });
});

// ── weight ─────────────────────────────────────────────────────────────────────────────

describe("page weight", () => {
  it("every state is under 14 KB, uncompressed and gzipped (logo excluded)", async () => {
    const sizes: Record<string, [number, number]> = {};
    const measure = async (label: string, page: Page) => {
      expect(page.status, label).toBeLessThan(500);
      sizes[label] = [new TextEncoder().encode(page.html).byteLength, await gzipSize(page.html)];
    };
    const long = "Établissement public de coopération intercommunale — Régie des eaux et de l'assainissement";
    const branding = { display_name: long.slice(0, 100), primary_color: "#ffd400", support_email: "regie.eaux.assainissement@communaute-urbaine.example.fr", logo_url: `https://cdn.example.fr/${"l".repeat(200)}.svg` };

    const open = await world({ branding, payerName: "Marie-Christine de La Tour d'Auvergne-Lauraguais" });
    const b = new Browser();
    const choice = await b.get(open.path);
    await measure("choice", choice);
    await measure("choice (en)", await b.get(`${open.path}?lang=en`));
    await measure("tampered (400)", await b.request(`${open.path}/pay`, { method: "POST", form: { method: "card" } }));
    await measure("not found (404)", await b.get("/p/NoSuchTokenNoSuchTokenNoSuchToken"));
    const bank = await chooseMethod(b, open, "sepa_credit");
    await measure("bank consent", bank);
    await measure("bank, wrong code", await b.submit(bank, `${open.path}/bank`, { account: IBAN_OK, sca: "000000", action: "authorize" }));
    await measure("replayed (409)", await b.submit(choice, `${open.path}/pay`, { method: "card" }));
    await b.submit(bank, `${open.path}/bank`, { account: IBAN_NO_FUNDS, sca: "123456", action: "authorize" });
    await measure("processing", await b.get(open.path));
    await settleNow(open);
    await measure("failed", await b.get(open.path));

    const card = await world({ branding });
    const cardForm = await chooseMethod(b, card, "card");
    await measure("card form", cardForm);
    await measure("card form, error", await b.submit(cardForm, `${card.path}/card`, { number: "4242", expiry: "12/34", cvc: "123" }));
    const tds = await b.follow(await b.submit(cardForm, `${card.path}/card`, { number: "4000000000003220", expiry: "12/34", cvc: "123" }));
    await measure("3-D Secure", tds);

    const paid = await world({ branding });
    await paid.simulate("succeeded");
    await measure("success", await b.get(paid.path));
    const expired = await world({ branding });
    await expired.simulate("expired");
    await measure("expired", await b.get(expired.path));
    const revoked = await world({ branding });
    await revoked.revoke();
    await measure("revoked", await b.get(revoked.path));

    console.log(`page weights (bytes, uncompressed / gzip):\n${Object.entries(sizes).map(([k, [raw, gz]]) => `  ${k}: ${raw} / ${gz}`).join("\n")}`);
    for (const [label, [raw, gz]] of Object.entries(sizes)) {
      expect(raw, label).toBeLessThan(KB14);
      expect(gz, label).toBeLessThan(KB14);
    }
  });
});

// ── pure pieces ────────────────────────────────────────────────────────────────────────

describe("formatting, language, colours, return URL", () => {
  it("formats euros from cents and Paris dates", () => {
    expect(formatMoney(42200, "EUR", "fr")).toBe(EURO_422);
    expect(formatMoney(42200, "EUR", "en")).toBe("€422.00");
    expect(formatMoney(123456789, "EUR", "fr")).toBe("1\u202f234\u202f567,89\u00a0€");
    expect(formatMoney(5, "EUR", "en")).toBe("€0.05");
    expect(formatDate("2024-03-31", "fr")).toBe("31 mars 2024");
    expect(formatDate("2024-10-27", "en")).toBe("27 October 2024");
  });

  it("negotiates fr/en from Accept-Language by q-value, French otherwise; ?lang= wins", async () => {
    const app = new Hono<PageEnv>().use(pageLanguage).get("/", (c) => c.text(c.get("lang")));
    const lang = async (query: string, acceptLanguage?: string) =>
      (await app.request(`/${query}`, { headers: acceptLanguage === undefined ? {} : { "accept-language": acceptLanguage } })).text();
    expect(await lang("")).toBe("fr");
    expect(await lang("", "en-US,en;q=0.9")).toBe("en");
    expect(await lang("", "fr-CA;q=0.4, en;q=0.6")).toBe("en");
    expect(await lang("", "en;q=0, de")).toBe("fr");
    expect(await lang("?lang=en", "fr")).toBe("en");
  });

  it("keeps the partner's colour accessible: black or white text by contrast, a default for invalid values", () => {
    for (const colour of ["#1a4b8c", "#ffd400", "#777777", "#ff0000", "#00ff00", "#000000", "#ffffff", "#0a0a0a", "#767676"]) {
      const p = palette(colour);
      expect(p.brand).toBe(colour);
      expect(contrastRatio(p.brand, p.onBrand), colour).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(p.accent, "#f3f5f9"), colour).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(p.edge, "#f3f5f9"), colour).toBeGreaterThanOrEqual(3);
    }
    expect(palette("#1a4b8c").onBrand).toBe("#ffffff");
    expect(palette("#ffd400").onBrand).toBe("#000000");
    for (const bad of [null, undefined, "red", "#fff", "#12345g", "#123456;}</style><script>"]) expect(palette(bad).brand).toBe(DEFAULT_BRAND);
  });

  it("appends the outcome to return_url, keeping its own query and fragment byte for byte", () => {
    expect(returnHref("https://shop.example/back", "pi-1", "succeeded")).toBe("https://shop.example/back?payment_intent=pi-1&status=succeeded");
    expect(returnHref("https://shop.example/back?x=1&y=a%20b#top", "pi-1", "failed")).toBe("https://shop.example/back?x=1&y=a%20b&payment_intent=pi-1&status=failed#top");
    expect(returnHref("https://shop.example/back?status=old", "pi-1", "canceled")).toBe("https://shop.example/back?status=canceled&payment_intent=pi-1");
    expect(returnHref("javascript:alert(1)", "pi-1", "failed")).toBeNull();
    expect(returnHref(null, "pi-1", "failed")).toBeNull();
  });
});
