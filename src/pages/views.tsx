import type { Child } from "hono/jsx";
import type { PaymentMethod } from "../domain/payment-intent";
import { SANDBOX_IBANS } from "../domain/sandbox";
import type { PaymentPageData } from "../services/pages/load-payment-page";
import { failureReason, formatDate, formatMoney, methodLabel, type Dict } from "./i18n";
import type { PageCtx } from "./layout";

/**
 * The bodies of the hosted payment pages, one function per state or screen. Every text the
 * payer or partner supplied goes through JSX, which escapes it.
 */

export type Outcome = "succeeded" | "failed" | "canceled";

/**
 * The partner's return_url with the outcome appended: `payment_intent` and `status` added to its
 * query, its own parameters (and fragment) kept byte for byte. Only http(s) URLs are linked.
 */
export function returnHref(returnUrl: string | null, intentId: string, outcome: Outcome): string | null {
  if (!returnUrl) return null;
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const added = `payment_intent=${encodeURIComponent(intentId)}&status=${encodeURIComponent(outcome)}`;
  if (url.searchParams.has("payment_intent") || url.searchParams.has("status")) {
    url.searchParams.set("payment_intent", intentId);
    url.searchParams.set("status", outcome);
    return url.toString();
  }
  const hash = url.hash;
  url.hash = "";
  const base = url.toString();
  return `${base}${url.search ? "&" : base.endsWith("?") ? "" : "?"}${added}${hash}`;
}

export function pagePath(token: string, suffix = "", lang?: string): string {
  return `/p/${token}${suffix}${lang ? `?lang=${lang}` : ""}`;
}

// ── pieces ──────────────────────────────────────────────────────────────────────────────

type Tone = "ok" | "ko" | "wip" | "off";

const ICONS: Record<Tone, Child> = {
  ok: <path d="M20 6 9 17l-5-5" />,
  ko: <path d="M18 6 6 18M6 6l12 12" />,
  wip: <path class="spin" d="M12 3a9 9 0 1 0 9 9" />,
  off: <path d="M12 8v5m0 3.5v.5M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z" />,
};

function Icon({ tone }: { tone: Tone }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {ICONS[tone]}
    </svg>
  );
}

/** The state banner: the page's one <h1>, announced as a status (or an alert for failures). */
function Status({ tone, title, children, alert }: { tone: Tone; title: string; children?: Child; alert?: boolean }) {
  return (
    <div class={`st ${tone}`} role={alert ? "alert" : "status"}>
      <Icon tone={tone} />
      <div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

/** Label/value rows; rows without a value are left out. `small` values (ids) use a smaller type. */
function Rows({ rows }: { rows: [string, string | null | undefined, "small"?][] }) {
  return (
    <dl>
      {rows
        .filter((r) => Boolean(r[1]))
        .map(([k, v, size]) => (
          <div class="r">
            <dt>{k}</dt>
            <dd class={size === "small" ? "sm" : undefined}>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

function Summary({ ctx, p, label, extra }: { ctx: PageCtx; p: PaymentPageData; label?: string; extra?: [string, string | null, "small"?][] }) {
  const { t, lang } = ctx;
  return (
    <>
      <p class="lbl">{label ?? t.amount_to_pay}</p>
      <p class="amt">{formatMoney(p.link.amount, p.link.currency, lang)}</p>
      <Rows
        rows={[
          [t.invoice, p.invoice.number],
          [t.payer, p.invoice.payerName],
          [t.due_date, p.invoice.dueDate ? formatDate(p.invoice.dueDate, lang) : null],
          [t.payee, p.organization.name],
          ...(extra ?? []),
        ]}
      />
    </>
  );
}

function Hidden({ fields }: { fields: Record<string, string | number> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={String(value)} />
      ))}
    </>
  );
}

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

function ReturnButton({ ctx, p, outcome, secondary }: { ctx: PageCtx; p: PaymentPageData; outcome: Outcome; secondary?: boolean }) {
  const href = returnHref(p.link.returnUrl, p.intent.id, outcome);
  return href ? (
    <a class={secondary ? "btn s" : "btn"} href={href}>
      {ctx.t.return_to_site}
    </a>
  ) : null;
}

// ── states of GET /p/:token ─────────────────────────────────────────────────────────────

export function choiceBody(ctx: PageCtx, p: PaymentPageData, csrf: string) {
  return (
    <>
      <div class="card">
        <h1>{ctx.t.h_pay}</h1>
        <Summary ctx={ctx} p={p} />
      </div>
      <MethodForm ctx={ctx} p={p} csrf={csrf} legend={ctx.t.choose_legend} />
    </>
  );
}

export function processingBody(ctx: PageCtx, p: PaymentPageData, refresh: { auto: boolean; exhausted: boolean }) {
  const { t, lang } = ctx;
  const here = pagePath(p.link.token, "", lang);
  return (
    <div class="card">
      <Status tone="wip" title={t.h_processing}>
        <p>{refresh.exhausted ? t.processing_long : t.processing_text}</p>
      </Status>
      {refresh.auto ? (
        <p>
          {t.processing_auto} <a href={`${here}&refresh=off`}>{t.processing_stop}</a>
        </p>
      ) : (
        <>
          {refresh.exhausted ? null : <p>{t.processing_stopped}</p>}
          <a class="btn" href={`${here}&refresh=off`}>
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

export function successBody(ctx: PageCtx, p: PaymentPageData) {
  const { t } = ctx;
  return (
    <div class="card">
      <Status tone="ok" title={t.h_success}>
        <p>{t.success_text}</p>
      </Status>
      <Summary
        ctx={ctx}
        p={p}
        label={t.amount_paid}
        extra={[
          [t.method, p.intent.method && methodLabel(t, p.intent.method)],
          [t.reference, p.intent.id, "small"],
        ]}
      />
      <p class="hint sp">{t.success_close}</p>
      <ReturnButton ctx={ctx} p={p} outcome="succeeded" />
    </div>
  );
}

export function failedBody(ctx: PageCtx, p: PaymentPageData, csrf: string) {
  const { t } = ctx;
  return (
    <>
      <div class="card">
        <Status tone="ko" title={t.h_failed} alert>
          <p>{failureReason(t, p.intent.failureCode)}</p>
          <p>{t.failed_text}</p>
        </Status>
        <Summary ctx={ctx} p={p} />
      </div>
      <MethodForm ctx={ctx} p={p} csrf={csrf} legend={t.retry_legend} />
      <ReturnButton ctx={ctx} p={p} outcome="failed" secondary />
    </>
  );
}

export function closedBody(ctx: PageCtx, p: PaymentPageData, why: "expired" | "revoked") {
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

// ── sandbox screens ─────────────────────────────────────────────────────────────────────

function Field(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value?: string | undefined;
  autocomplete: string;
  inputmode: "numeric" | "text";
  maxlength: number;
}) {
  const describedBy = [props.hint ? `${props.id}-h` : null, props.error ? `${props.id}-e` : null].filter(Boolean).join(" ");
  return (
    <div class="fld">
      <label class="f" for={props.id}>
        {props.label}
      </label>
      <input
        class="t"
        id={props.id}
        name={props.id}
        type="text"
        inputmode={props.inputmode}
        autocomplete={props.autocomplete}
        maxlength={props.maxlength}
        required
        value={props.value}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint ? (
        <p class="hint" id={`${props.id}-h`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="err" id={`${props.id}-e`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

function groupIban(iban: string): string {
  return iban.replace(/(.{4})/g, "$1 ").trim();
}

function bankOutcome(t: Dict, iban: keyof typeof SANDBOX_IBANS): string {
  const s = SANDBOX_IBANS[iban];
  if (!("failure_code" in s)) return t.bank_outcome_ok;
  return s.failure_code === "insufficient_funds" ? t.bank_outcome_insufficient_funds : t.bank_outcome_account_blocked;
}

export function bankBody(
  ctx: PageCtx,
  p: PaymentPageData,
  input: { csrf: string; reference: string; accounts: readonly (keyof typeof SANDBOX_IBANS)[]; selected: string | null; error: boolean },
) {
  const { t, lang } = ctx;
  const selected = input.selected ?? input.accounts[0];
  return (
    <>
      <div class="card bank">
        <h1>{t.h_bank}</h1>
        <p>{t.bank_intro}</p>
        <Rows
          rows={[
            [t.payee, p.organization.name],
            [t.amount, formatMoney(p.link.amount, p.link.currency, lang)],
            [t.reference, p.invoice.number],
          ]}
        />
      </div>
      <form class="card" method="post" action={pagePath(p.link.token, "/bank")}>
        <Hidden fields={{ csrf: input.csrf, version: p.intent.version, lang, ref: input.reference }} />
        <fieldset>
          <legend>{t.bank_accounts_legend}</legend>
          {input.accounts.map((iban) => (
            <label class="opt">
              <input type="radio" name="account" value={iban} checked={iban === selected} required />
              <span>
                <b>{groupIban(iban)}</b>
                <small>{bankOutcome(t, iban)}</small>
              </span>
            </label>
          ))}
        </fieldset>
        <Field id="sca" label={t.sca_label} hint={t.sca_hint} error={input.error ? t.sca_wrong : undefined} autocomplete="one-time-code" inputmode="numeric" maxlength={6} />
        <p class="hint">{t.refresh_notice}</p>
        <button class="btn" type="submit" name="action" value="authorize">
          {t.authorize}
        </button>
        <button class="btn s" type="submit" name="action" value="cancel" formnovalidate>
          {t.cancel}
        </button>
      </form>
    </>
  );
}

export type CardErrorField = "number" | "expiry" | "cvc";

export function cardBody(ctx: PageCtx, p: PaymentPageData, input: { csrf: string; reference: string; error: CardErrorField | null; expiry: string }) {
  const { t, lang } = ctx;
  const err = (f: CardErrorField, message: string) => (input.error === f ? message : undefined);
  return (
    <>
      <div class="card">
        <h1>{t.h_card}</h1>
        <Summary ctx={ctx} p={p} />
      </div>
      <form class="card" method="post" action={pagePath(p.link.token, "/card")}>
        <Hidden fields={{ csrf: input.csrf, version: p.intent.version, lang, ref: input.reference }} />
        <Field id="number" label={t.card_number} hint={p.link.livemode ? undefined : t.card_test_hint} error={err("number", t.card_number_invalid)} autocomplete="cc-number" inputmode="numeric" maxlength={23} />
        <div class="row">
          <Field id="expiry" label={t.card_expiry} error={err("expiry", t.card_expiry_invalid)} value={input.expiry || undefined} autocomplete="cc-exp" inputmode="numeric" maxlength={7} />
          <Field id="cvc" label={t.card_cvc} error={err("cvc", t.card_cvc_invalid)} autocomplete="cc-csc" inputmode="numeric" maxlength={4} />
        </div>
        <p class="hint">{t.refresh_notice}</p>
        <button class="btn" type="submit">
          {`${t.pay_amount} ${formatMoney(p.link.amount, p.link.currency, lang)}`}
        </button>
        <p>
          <a href={pagePath(p.link.token, "", lang)}>{t.change_method}</a>
        </p>
      </form>
    </>
  );
}

export function threeDsBody(ctx: PageCtx, p: PaymentPageData, input: { csrf: string; reference: string; card: string; last4: string }) {
  const { t, lang } = ctx;
  return (
    <>
      <div class="card bank">
        <h1>{t.h_3ds}</h1>
        <p>{t.tds_intro}</p>
        <Rows
          rows={[
            [t.payee, p.organization.name],
            [t.amount, formatMoney(p.link.amount, p.link.currency, lang)],
            [t.card_ending, input.last4],
          ]}
        />
      </div>
      <form class="card" method="post" action={pagePath(p.link.token, "/card/3ds")}>
        <Hidden fields={{ csrf: input.csrf, version: p.intent.version, lang, ref: input.reference, card: input.card }} />
        <Field id="code" label={t.tds_label} hint={t.tds_hint} autocomplete="one-time-code" inputmode="numeric" maxlength={6} />
        <button class="btn" type="submit">
          {t.confirm}
        </button>
      </form>
    </>
  );
}
