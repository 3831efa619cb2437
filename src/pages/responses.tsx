import type { Child } from "hono/jsx";
import type { ClosedPageState } from "../domain/payment-page";
import type { DomainError } from "../lib/errors";
import { pagePath } from "../lib/page-urls";
import type { PaymentPageData } from "../services/pages/load-payment-page";
import { Status, Summary, ReturnButton, type Tone } from "./components";
import type { PageContext } from "./env";
import { DICTIONARIES } from "./i18n";
import { renderDocument, type Brand, type PageCtx } from "./layout";

/**
 * How every screen answers: the document around a body, and the pages about the request rather
 * than the payment (unknown link, bad form, replay, outage, closed link). Never JSON, never a 500
 * for something the payer did.
 */

export function pageCtx(c: PageContext, token: string | null): PageCtx {
  const lang = c.get("lang");
  const t = DICTIONARIES[lang];
  let langHref: string | null = null;
  if (c.req.method === "GET") {
    const url = new URL(c.req.url);
    url.searchParams.set("lang", t.lang_switch_code);
    url.searchParams.delete("poll");
    langHref = `${url.pathname}${url.search}`;
  } else if (token) {
    langHref = pagePath(token, "", { lang: t.lang_switch_code });
  }
  return { t, lang, nonce: c.get("nonce"), token, langHref };
}

/** A page of the link `p` wears the partner's brand unless `brand` says otherwise (the sandbox bank's screens). */
export function render(c: PageContext, status: number, input: { ctx: PageCtx; heading: string; p?: PaymentPageData | null; brand?: Brand | null; body: Child }) {
  const { ctx, heading, p } = input;
  const brand = input.brand !== undefined ? input.brand : p ? p.organization : null;
  const title = [heading, p?.invoice?.number, p?.organization.name].filter(Boolean).join(" · ");
  const html = renderDocument({ ctx, title, brand, testmode: p ? !p.link.livemode : false, body: input.body });
  c.header("Content-Language", ctx.lang);
  return c.html(html, status as 200);
}

/** A page that is about the request rather than the payment: unknown link, bad form, replay, outage. */
export function messageBody(ctx: PageCtx, input: { tone: Tone; title: string; text: string; action?: { href: string; label: string } }) {
  return (
    <div class="card">
      <Status tone={input.tone} title={input.title} alert={input.tone === "ko"}>
        <p>{input.text}</p>
      </Status>
      {input.action ? (
        <a class="btn" href={input.action.href}>
          {input.action.label}
        </a>
      ) : null}
    </div>
  );
}

export function closedBody(ctx: PageCtx, p: PaymentPageData, why: ClosedPageState) {
  const { t } = ctx;
  return (
    <div class="card">
      <Status tone="off" title={why === "expired" ? t.h_expired : t.h_revoked}>
        <p>{why === "expired" ? t.expired_text : t.revoked_text}</p>
      </Status>
      <Summary ctx={ctx} p={p} label={t.amount} />
      <ReturnButton ctx={ctx} p={p} outcome="canceled" />
    </div>
  );
}

export function notFound(c: PageContext) {
  const ctx = pageCtx(c, null);
  return render(c, 404, { ctx, heading: ctx.t.h_not_found, body: messageBody(ctx, { tone: "off", title: ctx.t.h_not_found, text: ctx.t.not_found_text }) });
}

/** A message page about a request on link `token`, with the way back to its page. */
function aboutLink(c: PageContext, status: number, input: { token: string; p?: PaymentPageData; tone: Tone; title: string; text: string; label: string }) {
  const ctx = pageCtx(c, input.token);
  const href = pagePath(input.token, "", { lang: ctx.lang });
  const body = messageBody(ctx, { tone: input.tone, title: input.title, text: input.text, action: { href, label: input.label } });
  return render(c, status, { ctx, p: input.p ?? null, heading: input.title, body });
}

/** A form no page of ours rendered (bad csrf, forged field, too large). */
export function tampered(c: PageContext, token: string, status = 400) {
  const t = DICTIONARIES[c.get("lang")];
  return aboutLink(c, status, { token, tone: "ko", title: t.h_tampered, text: t.tampered_text, label: t.back_to_payment });
}

/** A form rendered for an earlier state of the intent: already used, nothing moves again. */
export function replayed(c: PageContext, p: PaymentPageData) {
  const t = DICTIONARIES[c.get("lang")];
  return aboutLink(c, 409, { token: p.link.token, p, tone: "off", title: t.h_replayed, text: t.replayed_text, label: t.see_status });
}

/** No provider takes the chosen method in this mode (live mode until one is registered). */
export function unavailable(c: PageContext, p: PaymentPageData) {
  const t = DICTIONARIES[c.get("lang")];
  return aboutLink(c, 503, { token: p.link.token, p, tone: "off", title: t.h_unavailable, text: t.unavailable_text, label: t.back_to_payment });
}

export function closed(c: PageContext, p: PaymentPageData, why: ClosedPageState) {
  const ctx = pageCtx(c, p.link.token);
  return render(c, 410, { ctx, p, heading: why === "expired" ? ctx.t.h_expired : ctx.t.h_revoked, body: closedBody(ctx, p, why) });
}

export function backToPage(c: PageContext, token: string) {
  return c.redirect(pagePath(token, "", { lang: c.get("lang") }), 303);
}

/**
 * A payer's action refused (a domain error from the form check or the intent's object), as the
 * page the payer should see: a form no page rendered is tampered; the link canceled meanwhile is
 * closed; any other refusal means the intent moved on since the form was rendered.
 */
export function refusal(c: PageContext, p: PaymentPageData, err: DomainError) {
  if (err.kind === "not_found") return notFound(c);
  if (err.kind === "invalid_request") return tampered(c, p.link.token);
  if (err.code === "payment_intent_canceled") return closed(c, p, p.link.status === "revoked" ? "revoked" : "expired");
  return replayed(c, p);
}
