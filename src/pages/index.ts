import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import qrcode from "qrcode-generator";
import type { Actor, IntentResult, PaymentIntent } from "../durable/payment-intent";
import { PAYMENT_METHODS, type PaymentMethod } from "../domain/payment-intent";
import type { AppEnv } from "../env";
import { randomToken } from "../lib/crypto";
import { providerFor, sandboxBank, sandboxCard } from "../providers";
import { SANDBOX_PAYER_ACCOUNTS } from "../providers/sandbox-bank";
import type { ProviderStep } from "../providers/types";
import { isPlausibleToken, loadPaymentPage, type PaymentPageData } from "../services/pages/load-payment-page";
import { paymentPageUrl } from "../services/payment-links/present";
import { DICTIONARIES, isLang, negotiateLang, type Lang } from "./i18n";
import { renderDocument, SANDBOX_BANK_BRAND, type Brand, type PageCtx } from "./layout";
import {
  ensureCsrfCookie,
  formMac,
  newNonce,
  pageSecurityHeaders,
  providerReference,
  readForm,
  readSignedCard,
  signCard,
  verifyForm,
  type FormFields,
} from "./security";
import {
  bankBody,
  cardBody,
  choiceBody,
  closedBody,
  failedBody,
  messageBody,
  pagePath,
  processingBody,
  successBody,
  threeDsBody,
  type CardErrorField,
} from "./views";
import { log, redactPath } from "../lib/log";

/**
 * The hosted payment page (DESIGN.md §1, §5): server-rendered, no JavaScript, one D1 round trip
 * per render, every state of the payment intent shown plainly, and forms that can neither be
 * forged (double-submit CSRF) nor replayed (the intent version they were rendered for). Money
 * only ever moves through the PaymentIntent Durable Object, which refuses a stale version.
 * Not part of the OpenAPI document.
 */

type PageEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { nonce: string; lang: Lang };
};
type C = Context<PageEnv>;

const PAYER: Actor = { id: "payer", type: "payer" };
/** Auto-refreshes of the processing page before it stops and says the payer may leave. */
const MAX_POLLS = 60;
const REFRESH_SECONDS = 2;

type PageState = "open" | "failed" | "processing" | "succeeded" | "expired" | "revoked";

/** What the payer sees for a link, from the link's and its intent's projected states. */
export function pageState(p: PaymentPageData, now = Date.now()): PageState {
  const s = p.intent.status;
  if (p.link.status === "revoked") return "revoked";
  if (p.link.status === "completed" || s === "succeeded" || s === "partially_refunded" || s === "refunded") return "succeeded";
  if (s === "processing") return "processing";
  if (p.link.status === "expired" || s === "canceled") return "expired";
  // The object's alarm expires the link on time; the page does not wait for it.
  if (p.link.expiresAt && Date.parse(p.link.expiresAt) <= now) return "expired";
  return s === "failed" ? "failed" : "open";
}

// ── rendering ───────────────────────────────────────────────────────────────────────────

function pageCtx(c: C, token: string | null): PageCtx {
  const lang = c.get("lang");
  const t = DICTIONARIES[lang];
  let langHref: string | null = null;
  if (c.req.method === "GET") {
    const url = new URL(c.req.url);
    url.searchParams.set("lang", t.lang_switch_code);
    url.searchParams.delete("poll");
    langHref = `${url.pathname}${url.search}`;
  } else if (token) {
    langHref = pagePath(token, "", t.lang_switch_code);
  }
  return { t, lang, nonce: c.get("nonce"), token, langHref };
}

function brandOf(p: PaymentPageData): Brand {
  return p.organization;
}

function render(c: C, status: number, input: { ctx: PageCtx; heading: string; p?: PaymentPageData | null; brand?: Brand | null; body: ReturnType<typeof choiceBody> }) {
  const { ctx, heading, p } = input;
  const brand = input.brand !== undefined ? input.brand : p ? brandOf(p) : null;
  const title = [heading, p?.invoice.number, p?.organization.name].filter(Boolean).join(" · ");
  const html = renderDocument({ ctx, title, brand, testmode: p ? !p.link.livemode : false, body: input.body });
  c.header("Content-Language", ctx.lang);
  return c.html(html, status as 200);
}

function notFound(c: C) {
  const ctx = pageCtx(c, null);
  return render(c, 404, { ctx, heading: ctx.t.h_not_found, body: messageBody(ctx, { tone: "off", title: ctx.t.h_not_found, text: ctx.t.not_found_text }) });
}

function tampered(c: C, token: string, status = 400) {
  const ctx = pageCtx(c, token);
  const { t } = ctx;
  return render(c, status, {
    ctx,
    heading: t.h_tampered,
    body: messageBody(ctx, { tone: "ko", title: t.h_tampered, text: t.tampered_text, action: { href: pagePath(token, "", ctx.lang), label: t.back_to_payment } }),
  });
}

function replayed(c: C, p: PaymentPageData) {
  const ctx = pageCtx(c, p.link.token);
  const { t } = ctx;
  return render(c, 409, {
    ctx,
    p,
    heading: t.h_replayed,
    body: messageBody(ctx, { tone: "off", title: t.h_replayed, text: t.replayed_text, action: { href: pagePath(p.link.token, "", ctx.lang), label: t.see_status } }),
  });
}

function unavailable(c: C, p: PaymentPageData) {
  const ctx = pageCtx(c, p.link.token);
  const { t } = ctx;
  return render(c, 503, {
    ctx,
    p,
    heading: t.h_unavailable,
    body: messageBody(ctx, { tone: "off", title: t.h_unavailable, text: t.unavailable_text, action: { href: pagePath(p.link.token, "", ctx.lang), label: t.back_to_payment } }),
  });
}

function closed(c: C, p: PaymentPageData, why: "expired" | "revoked") {
  const ctx = pageCtx(c, p.link.token);
  return render(c, 410, { ctx, p, heading: why === "expired" ? ctx.t.h_expired : ctx.t.h_revoked, body: closedBody(ctx, p, why) });
}

function backToPage(c: C, token: string) {
  return c.redirect(pagePath(token, "", c.get("lang")), 303);
}

/** A Durable Object refusal, as the page the payer should see. Never a 500. */
function refusal(c: C, p: PaymentPageData, result: Extract<IntentResult, { ok: false }>) {
  if (result.status === 404) return notFound(c);
  if (result.status === 400) return tampered(c, p.link.token);
  if (result.code === "payment_intent_canceled") return closed(c, p, p.link.status === "revoked" ? "revoked" : "expired");
  return replayed(c, p);
}

// ── request plumbing ────────────────────────────────────────────────────────────────────

function load(c: C, token: string) {
  return loadPaymentPage({ db: c.get("db"), encryptionKey: c.env.ENCRYPTION_KEY, token });
}

async function csrfFor(c: C, p: PaymentPageData): Promise<string> {
  return formMac(c.env.JWT_SECRET, ensureCsrfCookie(c), p.link.token, p.intent.version);
}

/**
 * The common start of every form post: a form whose csrf does not verify is refused before
 * anything is read; a closed link shows its closed page; a form rendered for an earlier
 * version of the intent is a replay (409), whatever it asks for.
 */
async function acceptForm(c: C, token: string): Promise<{ form: FormFields; version: number; p: PaymentPageData } | Response> {
  if (!isPlausibleToken(token)) return notFound(c);
  const form = await readForm(c);
  if (isLang(form.lang)) c.set("lang", form.lang);
  const version = await verifyForm(c, c.env.JWT_SECRET, token, form);
  if (version === null) return tampered(c, token);
  const p = await load(c, token);
  if (!p) return notFound(c);
  const state = pageState(p);
  if (state === "revoked" || state === "expired") return closed(c, p, state);
  if (version !== p.intent.version) return replayed(c, p);
  return { form, version, p };
}

/** One call to the intent's Durable Object, timed in Server-Timing like the D1 round trips. */
function intentCall(c: C, p: PaymentPageData, what: string, call: (stub: DurableObjectStub<PaymentIntent>) => Promise<IntentResult>) {
  return c.get("timer").measure("intent", what, () => call(c.env.PAYMENT_INTENT.getByName(p.intent.id)));
}

async function applySteps(c: C, p: PaymentPageData, version: number, provider: string, reference: string, steps: ProviderStep[]) {
  const result = await intentCall(c, p, "applyProviderSteps", (s) =>
    s.applyProviderSteps(p.intent.id, { version, provider, reference, steps, actor: PAYER, requestId: c.get("requestId"), tenant: p.tenant }),
  );
  if (!result.ok) return refusal(c, p, result);
  return backToPage(c, p.link.token);
}

/** Sandbox screens are for test-mode links whose payer chose their method. */
function sandboxScreenApplies(p: PaymentPageData, method: PaymentMethod): boolean {
  const state = pageState(p);
  return !p.link.livemode && state === "open" && p.intent.status === "pending" && p.intent.method === method;
}

/** Adds query parameters to an absolute URL or to a path (kept a path: same-origin redirects stay relative). */
function withQuery(url: string, params: Record<string, string>): string {
  const relative = url.startsWith("/");
  const u = new URL(url, "http://relative.invalid");
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return relative ? `${u.pathname}${u.search}` : u.toString();
}

// ── routes ──────────────────────────────────────────────────────────────────────────────

export function pageRoutes() {
  const app = new Hono<PageEnv>();

  app.use("*", async (c, next) => {
    const nonce = newNonce();
    c.set("nonce", nonce);
    c.set("lang", negotiateLang(c.req.query("lang"), c.req.header("accept-language")).lang);
    await next();
    if (c.res.headers.get("content-type")?.startsWith("image/svg+xml")) {
      c.res.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
      c.res.headers.set("X-Content-Type-Options", "nosniff");
    } else {
      pageSecurityHeaders(c.res.headers, nonce);
    }
  });
  app.use(
    "*",
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => {
        const token = c.req.path.split("/")[2] ?? "";
        return isPlausibleToken(token) ? tampered(c as C, token, 413) : notFound(c as C);
      },
    }),
  );

  app.get("/:token", async (c) => {
    const token = c.req.param("token");
    const p = await load(c, token);
    if (!p) return notFound(c);
    const ctx = pageCtx(c, token);
    const { t } = ctx;
    switch (pageState(p)) {
      case "revoked":
        return closed(c, p, "revoked");
      case "expired":
        return closed(c, p, "expired");
      case "succeeded":
        return render(c, 200, { ctx, p, heading: t.h_success, body: successBody(ctx, p) });
      case "processing": {
        const poll = Math.max(0, Math.min(MAX_POLLS, Number.parseInt(c.req.query("poll") ?? "0", 10) || 0));
        const exhausted = poll >= MAX_POLLS;
        const auto = !exhausted && c.req.query("refresh") !== "off";
        // An automatic refresh is only acceptable if the payer can stop it (RGAA 13.1.1, WCAG 2.2.1;
        // failure F41): the stop link sits right under the heading, the screens before it say the
        // page will refresh, and polling ends after MAX_POLLS. It is sent as the HTTP Refresh
        // header rather than a <meta> refresh, which axe-core flags whatever controls surround it.
        if (auto) c.header("Refresh", `${REFRESH_SECONDS}; url=${pagePath(token, "", ctx.lang)}&poll=${poll + 1}`);
        return render(c, 200, { ctx, p, heading: t.h_processing, body: processingBody(ctx, p, { auto, exhausted }) });
      }
      case "failed":
        return render(c, 200, { ctx, p, heading: t.h_failed, body: failedBody(ctx, p, await csrfFor(c, p)) });
      case "open":
        return render(c, 200, { ctx, p, heading: t.h_pay, body: choiceBody(ctx, p, await csrfFor(c, p)) });
    }
  });

  // Method chosen: the intent becomes pending, then the provider's screen takes over.
  app.post("/:token/pay", async (c) => {
    const token = c.req.param("token");
    const accepted = await acceptForm(c, token);
    if (accepted instanceof Response) return accepted;
    const { form, version, p } = accepted;
    const method = form.method as PaymentMethod;
    if (!(PAYMENT_METHODS as readonly string[]).includes(method) || !p.link.methods.includes(method)) return tampered(c, token);
    const provider = providerFor(method, p.link.livemode);
    if (!provider) return unavailable(c, p);
    const chosen = await intentCall(c, p, "choose", (s) => s.choose(p.intent.id, { method, version, actor: PAYER, requestId: c.get("requestId"), tenant: p.tenant }));
    if (!chosen.ok) return refusal(c, p, chosen);
    const start = await provider.start({ intentId: p.intent.id, token, amount: p.link.amount, currency: p.link.currency, baseUrl: c.env.PUBLIC_BASE_URL.replace(/\/$/, "") });
    return c.redirect(withQuery(start.redirectUrl, { lang: c.get("lang"), ref: start.reference }), 303);
  });
  app.get("/:token/pay", (c) => (isPlausibleToken(c.req.param("token")) ? backToPage(c, c.req.param("token")) : notFound(c)));

  // ── sandbox bank (open-banking consent with strong authentication) ──
  app.get("/:token/bank", async (c) => {
    const token = c.req.param("token");
    const p = await load(c, token);
    if (!p || p.link.livemode) return notFound(c);
    if (!sandboxScreenApplies(p, "sepa_credit")) return backToPage(c, token);
    const ctx = pageCtx(c, token);
    const reference = providerReference(c.req.query("ref")) ?? `sbx-consent-${randomToken(16)}`;
    const body = bankBody(ctx, p, { csrf: await csrfFor(c, p), reference, accounts: SANDBOX_PAYER_ACCOUNTS, selected: null, error: false });
    return render(c, 200, { ctx, p, brand: SANDBOX_BANK_BRAND, heading: ctx.t.h_bank, body });
  });

  app.post("/:token/bank", async (c) => {
    const token = c.req.param("token");
    const accepted = await acceptForm(c, token);
    if (accepted instanceof Response) return accepted;
    const { form, version, p } = accepted;
    if (p.link.livemode) return notFound(c);
    if (form.action === "cancel") return backToPage(c, token);
    if (!sandboxScreenApplies(p, "sepa_credit")) return replayed(c, p);
    const account = form.account ?? "";
    const reference = providerReference(form.ref);
    if (!(SANDBOX_PAYER_ACCOUNTS as readonly string[]).includes(account) || !reference) return tampered(c, token);
    const auth = sandboxBank.authorize({ debtorIban: account, scaCode: form.sca ?? "" });
    if (!auth.ok) {
      const ctx = pageCtx(c, token);
      const body = bankBody(ctx, p, { csrf: await csrfFor(c, p), reference, accounts: SANDBOX_PAYER_ACCOUNTS, selected: account, error: true });
      return render(c, 422, { ctx, p, brand: SANDBOX_BANK_BRAND, heading: ctx.t.h_bank, body });
    }
    return applySteps(c, p, version, sandboxBank.id, reference, auth.steps);
  });

  // ── sandbox card acquirer (card form, then 3-D Secure when the card asks for it) ──
  app.get("/:token/card", async (c) => {
    const token = c.req.param("token");
    const p = await load(c, token);
    if (!p || p.link.livemode) return notFound(c);
    if (!sandboxScreenApplies(p, "card")) return backToPage(c, token);
    const ctx = pageCtx(c, token);
    const reference = providerReference(c.req.query("ref")) ?? `sbx-card-${randomToken(16)}`;
    return render(c, 200, { ctx, p, heading: ctx.t.h_card, body: cardBody(ctx, p, { csrf: await csrfFor(c, p), reference, error: null, expiry: "" }) });
  });

  app.post("/:token/card", async (c) => {
    const token = c.req.param("token");
    const accepted = await acceptForm(c, token);
    if (accepted instanceof Response) return accepted;
    const { form, version, p } = accepted;
    if (p.link.livemode) return notFound(c);
    if (!sandboxScreenApplies(p, "card")) return replayed(c, p);
    const reference = providerReference(form.ref);
    if (!reference) return tampered(c, token);
    const number = form.number ?? "";
    const decision = sandboxCard.submit({ number, expiry: form.expiry ?? "", cvc: form.cvc ?? "" });
    if (decision.kind === "invalid") {
      const ctx = pageCtx(c, token);
      // The card number and code are never echoed back; the expiry date is harmless.
      const body = cardBody(ctx, p, { csrf: await csrfFor(c, p), reference, error: decision.field as CardErrorField, expiry: (form.expiry ?? "").slice(0, 7) });
      return render(c, 422, { ctx, p, heading: ctx.t.h_card, body });
    }
    if (decision.kind === "challenge") {
      const card = await signCard(c.env.JWT_SECRET, token, version, number.replace(/\D/g, "").slice(-4));
      return c.redirect(`${pagePath(token, "/card/3ds", c.get("lang"))}&ref=${reference}&card=${card}`, 303);
    }
    return applySteps(c, p, version, sandboxCard.id, reference, decision.steps);
  });

  app.get("/:token/card/3ds", async (c) => {
    const token = c.req.param("token");
    const p = await load(c, token);
    if (!p || p.link.livemode) return notFound(c);
    if (!sandboxScreenApplies(p, "card")) return backToPage(c, token);
    const card = c.req.query("card");
    const last4 = await readSignedCard(c.env.JWT_SECRET, token, p.intent.version, card);
    const reference = providerReference(c.req.query("ref"));
    if (!last4 || !reference) return tampered(c, token);
    const ctx = pageCtx(c, token);
    return render(c, 200, { ctx, p, brand: SANDBOX_BANK_BRAND, heading: ctx.t.h_3ds, body: threeDsBody(ctx, p, { csrf: await csrfFor(c, p), reference, card: card!, last4 }) });
  });

  app.post("/:token/card/3ds", async (c) => {
    const token = c.req.param("token");
    const accepted = await acceptForm(c, token);
    if (accepted instanceof Response) return accepted;
    const { form, version, p } = accepted;
    if (p.link.livemode) return notFound(c);
    if (!sandboxScreenApplies(p, "card")) return replayed(c, p);
    const last4 = await readSignedCard(c.env.JWT_SECRET, token, version, form.card);
    const reference = providerReference(form.ref);
    if (!last4 || !reference) return tampered(c, token);
    return applySteps(c, p, version, sandboxCard.id, reference, sandboxCard.challenge({ number: last4, code: form.code ?? "" }));
  });

  // ── the QR code of the page URL (qr_code_data), as SVG ──
  // Answered as the page is: a revoked or expired link has no QR code, only its closed page (410).
  // Cached privately and briefly, so a link revoked after a scan stops being shown within minutes.
  app.get("/:token/qr.svg", async (c) => {
    const token = c.req.param("token");
    const p = await load(c, token);
    if (!p) return notFound(c);
    const state = pageState(p);
    if (state === "revoked" || state === "expired") return closed(c, p, state);
    const qr = qrcode(0, "M");
    qr.addData(paymentPageUrl(c.env.PUBLIC_BASE_URL, token));
    qr.make();
    const title = c.get("lang") === "en" ? "QR code of the payment page" : "QR code de la page de paiement";
    const svg = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, title } as Parameters<typeof qr.createSvgTag>[0] & { title: string });
    return c.body(svg, 200, { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "private, max-age=300" });
  });

  app.all("*", (c) => notFound(c));

  app.onError((err, c) => {
    log.error("payment page: unhandled error", { request_id: c.get("requestId"), method: c.req.method, path: redactPath(c.req.path), error: err });
    const ctx = pageCtx(c, null);
    return render(c, 500, { ctx, heading: ctx.t.h_error, body: messageBody(ctx, { tone: "ko", title: ctx.t.h_error, text: ctx.t.error_text }) });
  });

  return app;
}
