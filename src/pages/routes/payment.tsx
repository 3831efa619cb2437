import type { PaymentMethod } from "../../domain/payment-intent";
import { pageState } from "../../domain/payment-page";
import { pagePath } from "../../lib/page-urls";
import type { PaymentPageData } from "../../services/pages/load-payment-page";
import { Hidden, HoldNotice, ReturnButton, Status, Summary } from "../components";
import type { PageApp } from "../env";
import { failureReason, formatDateTime, formatMoney, methodLabel, type Dict } from "../i18n";
import type { PageCtx } from "../layout";
import { csrfFor, loadPage } from "../request";
import { closed, notFound, pageCtx, render } from "../responses";

/** Auto-refreshes of the processing page before it stops and says the payer may leave. */
const MAX_POLLS = 60;
const REFRESH_SECONDS = 2;

/** GET /p/:token — the page itself, in the state the link and its intent are in. */
export function registerPaymentPage(app: PageApp) {
  app.get("/:token", async (c) => {
    const token = c.req.param("token");
    const p = await loadPage(c, token);
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
      case "authorized":
        return render(c, 200, { ctx, p, heading: t.h_authorized, body: authorizedBody(ctx, p) });
      case "released":
        return render(c, 200, { ctx, p, heading: t.h_released, body: releasedBody(ctx, p) });
      case "processing": {
        const poll = Math.max(0, Math.min(MAX_POLLS, Number.parseInt(c.req.query("poll") ?? "0", 10) || 0));
        const exhausted = poll >= MAX_POLLS;
        const auto = !exhausted && c.req.query("refresh") !== "off";
        // An automatic refresh is only acceptable if the payer can stop it (RGAA 13.1.1, WCAG 2.2.1;
        // failure F41): the stop link sits right under the heading, the screens before it say the
        // page will refresh, and polling ends after MAX_POLLS. It is sent as the HTTP Refresh
        // header rather than a <meta> refresh, which axe-core flags whatever controls surround it.
        if (auto) c.header("Refresh", `${REFRESH_SECONDS}; url=${pagePath(token, "", { lang: ctx.lang, poll: poll + 1 })}`);
        return render(c, 200, { ctx, p, heading: t.h_processing, body: processingBody(ctx, p, { auto, exhausted }) });
      }
      case "failed":
        return render(c, 200, { ctx, p, heading: t.h_failed, body: failedBody(ctx, p, await csrfFor(c, p)) });
      case "open":
        return render(c, 200, { ctx, p, heading: payHeading(t, p), body: choiceBody(ctx, p, await csrfFor(c, p)) });
    }
  });
}

/** The method choice, posting to /pay: the intent's chosen method first if it has one. */
function MethodForm({ ctx, p, csrf, legend }: { ctx: PageCtx; p: PaymentPageData; csrf: string; legend: string }) {
  const { t } = ctx;
  const preferred: PaymentMethod | undefined = p.intent.method && p.link.methods.includes(p.intent.method) ? p.intent.method : p.link.methods[0];
  const hint = (m: PaymentMethod) => (m === "sepa_credit" ? t.method_sepa_credit_hint : t.method_card_hint);
  return (
    <form class="card" method="post" action={pagePath(p.link.token, "/pay")}>
      <Hidden fields={{ csrf, version: p.intent.version, lang: ctx.lang }} />
      <fieldset>
        <legend>{legend}</legend>
        {p.link.methods.map((m) => (
          <label class="opt">
            <input type="radio" name="method" value={m} checked={m === preferred} required />
            <span>
              <b>{methodLabel(t, m)}</b>
              <small>{hint(m)}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <button class="btn" type="submit">
        {t.continue}
      </button>
    </form>
  );
}

/** What the payer is asked for: their invoice, a payment request, or a card hold. */
function payHeading(t: Dict, p: PaymentPageData): string {
  if (p.link.type === "preauth") return t.h_hold;
  return p.invoice ? t.h_pay : t.h_pay_request;
}

function choiceBody(ctx: PageCtx, p: PaymentPageData, csrf: string) {
  const { t, lang } = ctx;
  const hold = p.link.type === "preauth";
  // The short page (seed 003 "page courte"): the amount, what it is for, the method; no summary table.
  if (p.link.page === "short") {
    return (
      <>
        <div class="card">
          <h1>{payHeading(t, p)}</h1>
          {hold ? <HoldNotice ctx={ctx} /> : null}
          <p class="lbl">{hold ? t.amount_to_authorize : t.amount_to_pay}</p>
          <p class="amt">{formatMoney(p.link.amount, p.link.currency, lang)}</p>
          {p.link.description ? <p class="desc">{p.link.description}</p> : p.invoice?.number ? <p class="desc">{`${t.invoice} ${p.invoice.number}`}</p> : null}
        </div>
        <MethodForm ctx={ctx} p={p} csrf={csrf} legend={t.choose_legend} />
      </>
    );
  }
  return (
    <>
      <div class="card">
        <h1>{payHeading(t, p)}</h1>
        {hold ? <HoldNotice ctx={ctx} /> : null}
        <Summary ctx={ctx} p={p} owing label={hold ? t.amount_to_authorize : undefined} />
      </div>
      <MethodForm ctx={ctx} p={p} csrf={csrf} legend={t.choose_legend} />
    </>
  );
}

/** A hold authorized: registered on the card, nothing charged, collectable until capture_before. */
function authorizedBody(ctx: PageCtx, p: PaymentPageData) {
  const { t, lang } = ctx;
  const until = p.intent.captureBefore ? `${formatDateTime(p.intent.captureBefore, lang)} ${t.paris_time}` : null;
  return (
    <div class="card">
      <Status tone="ok" title={t.h_authorized}>
        <p>{t.authorized_text}</p>
      </Status>
      <Summary
        ctx={ctx}
        p={p}
        label={t.amount_authorized}
        amount={p.intent.amountAuthorized ?? p.link.amount}
        extra={[
          [t.capture_before, until],
          [t.method, p.intent.method && methodLabel(t, p.intent.method)],
          [t.reference, p.intent.id, "small"],
        ]}
      />
      <p class="hint sp">{t.success_close}</p>
      <ReturnButton ctx={ctx} p={p} outcome="succeeded" />
    </div>
  );
}

/** A hold released by the organization or lapsed: nothing was charged. */
function releasedBody(ctx: PageCtx, p: PaymentPageData) {
  const { t } = ctx;
  return (
    <div class="card">
      <Status tone="off" title={t.h_released}>
        <p>{t.released_text}</p>
      </Status>
      <Summary ctx={ctx} p={p} label={t.amount_authorized} amount={p.intent.amountAuthorized ?? p.link.amount} extra={[[t.reference, p.intent.id, "small"]]} />
    </div>
  );
}

function processingBody(ctx: PageCtx, p: PaymentPageData, refresh: { auto: boolean; exhausted: boolean }) {
  const { t, lang } = ctx;
  const here = pagePath(p.link.token, "", { lang });
  const stop = pagePath(p.link.token, "", { lang, refresh: "off" });
  return (
    <div class="card">
      <Status tone="wip" title={t.h_processing}>
        <p>{refresh.exhausted ? t.processing_long : t.processing_text}</p>
      </Status>
      {refresh.auto ? (
        <p>
          {t.processing_auto} <a href={stop}>{t.processing_stop}</a>
        </p>
      ) : (
        <>
          {refresh.exhausted ? null : <p>{t.processing_stopped}</p>}
          <a class="btn" href={stop}>
            {t.processing_refresh}
          </a>
          <p>
            <a href={here}>{t.processing_resume}</a>
          </p>
        </>
      )}
      <Summary ctx={ctx} p={p} label={t.amount} extra={[[t.method, p.intent.method && methodLabel(t, p.intent.method)]]} />
    </div>
  );
}

function successBody(ctx: PageCtx, p: PaymentPageData) {
  const { t, lang } = ctx;
  // A captured hold shows what was collected (at most what was authorized), and what had been authorized.
  const captured = p.link.type === "preauth" && p.intent.amountReceived > 0;
  const authorized = captured && p.intent.amountAuthorized !== null && p.intent.amountAuthorized !== p.intent.amountReceived ? formatMoney(p.intent.amountAuthorized, p.link.currency, lang) : null;
  return (
    <div class="card">
      <Status tone="ok" title={t.h_success}>
        <p>{captured ? t.captured_text : t.success_text}</p>
      </Status>
      <Summary
        ctx={ctx}
        p={p}
        label={captured ? t.amount_captured : t.amount_paid}
        amount={captured ? p.intent.amountReceived : undefined}
        extra={[
          [t.amount_authorized, authorized],
          [t.method, p.intent.method && methodLabel(t, p.intent.method)],
          [t.reference, p.intent.id, "small"],
        ]}
      />
      <p class="hint sp">{t.success_close}</p>
      <ReturnButton ctx={ctx} p={p} outcome="succeeded" />
    </div>
  );
}

function failedBody(ctx: PageCtx, p: PaymentPageData, csrf: string) {
  const { t } = ctx;
  return (
    <>
      <div class="card">
        <Status tone="ko" title={t.h_failed} alert>
          <p>{failureReason(t, p.intent.failureCode)}</p>
          <p>{t.failed_text}</p>
        </Status>
        <Summary ctx={ctx} p={p} owing />
      </div>
      <MethodForm ctx={ctx} p={p} csrf={csrf} legend={t.retry_legend} />
      <ReturnButton ctx={ctx} p={p} outcome="failed" secondary />
    </>
  );
}
