import type { Child } from "hono/jsx";
import { returnHref, type ReturnOutcome } from "../lib/page-urls";
import type { PaymentPageData } from "../services/pages/load-payment-page";
import { formatDate, formatMoney } from "./i18n";
import type { PageCtx } from "./layout";

/**
 * The pieces the payment page's screens share. Every text the payer or partner supplied goes
 * through JSX, which escapes it.
 */

export type Tone = "ok" | "ko" | "wip" | "off";

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
export function Status({ tone, title, children, alert }: { tone: Tone; title: string; children?: Child; alert?: boolean }) {
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
export function Rows({ rows }: { rows: [string, string | null | undefined, "small"?][] }) {
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

/**
 * `owing`: the screens before a payment also say what the payer is paying into: that the invoice
 * is overdue (since its due date), and for a link covering part of it, its total and what
 * remains due once this payment is made. After a payment those figures would be stale or moot.
 * A payment request has no invoice: its description says what the payment is for. `amount`
 * overrides the link's (a captured hold shows what was collected).
 */
export function Summary({
  ctx,
  p,
  label,
  extra,
  owing,
  amount,
}: {
  ctx: PageCtx;
  p: PaymentPageData;
  label?: string;
  extra?: [string, string | null, "small"?][];
  owing?: boolean;
  amount?: number;
}) {
  const { t, lang } = ctx;
  const money = (cents: number) => formatMoney(cents, p.link.currency, lang);
  const invoice = p.invoice;
  const overdue = owing && invoice?.status === "overdue" && invoice.dueDate;
  const partial = owing && invoice && p.link.amount < invoice.total;
  return (
    <>
      {overdue ? (
        <p class="late">
          {t.overdue_since} {formatDate(invoice.dueDate!, lang)}.
        </p>
      ) : null}
      <p class="lbl">{label ?? t.amount_to_pay}</p>
      <p class="amt">{money(amount ?? p.link.amount)}</p>
      <Rows
        rows={[
          ...(partial
            ? ([
                [t.invoice_total, money(invoice.total)],
                [t.remaining_after, money(Math.max(0, invoice.amountDue - p.link.amount))],
              ] as [string, string][])
            : []),
          [t.invoice, invoice?.number],
          [t.description, p.link.description],
          [t.payer, p.payerName],
          [t.due_date, invoice?.dueDate ? formatDate(invoice.dueDate, lang) : null],
          [t.payee, p.organization.name],
          ...(extra ?? []),
        ]}
      />
    </>
  );
}

/** A card hold says so before anything else: authorized, not charged, and for how long. */
export function HoldNotice({ ctx }: { ctx: PageCtx }) {
  return (
    <div class="hold">
      <p>
        <b>{ctx.t.hold_notice}</b>
      </p>
      <p class="hint">{ctx.t.hold_window}</p>
    </div>
  );
}

export function Hidden({ fields }: { fields: Record<string, string | number> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={String(value)} />
      ))}
    </>
  );
}

export function ReturnButton({ ctx, p, outcome, secondary }: { ctx: PageCtx; p: PaymentPageData; outcome: ReturnOutcome; secondary?: boolean }) {
  const href = returnHref(p.link.returnUrl, p.intent.id, outcome);
  return href ? (
    <a class={secondary ? "btn s" : "btn"} href={href}>
      {ctx.t.return_to_site}
    </a>
  ) : null;
}

export function Field(props: {
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

/** The head of a screen that stands for the payer's bank (consent, 3-D Secure): whom, how much, and one more row. */
export function BankIntro({ ctx, p, title, intro, row }: { ctx: PageCtx; p: PaymentPageData; title: string; intro: string; row: [string, string | null] }) {
  const { t, lang } = ctx;
  return (
    <div class="card bank">
      <h1>{title}</h1>
      <p>{intro}</p>
      <Rows rows={[[t.payee, p.organization.name], [t.amount, formatMoney(p.link.amount, p.link.currency, lang)], row]} />
    </div>
  );
}
