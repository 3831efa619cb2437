import { SANDBOX_IBANS } from "../../domain/sandbox";
import { pagePath } from "../../lib/page-urls";
import { SANDBOX_PAYER_ACCOUNTS } from "../../providers/sandbox-bank";
import { newSandboxReference, sandboxReference } from "../../providers/sandbox-reference";
import { authorizeBankPayment } from "../../services/pages/authorize-bank-payment";
import type { PaymentPageData } from "../../services/pages/load-payment-page";
import { BankIntro, Field, Hidden } from "../components";
import type { PageApp, PageContext } from "../env";
import type { Dict } from "../i18n";
import { SANDBOX_BANK_BRAND, type PageCtx } from "../layout";
import { acceptSandboxForm, csrfFor, openSandboxScreen, payerAction } from "../request";
import { backToPage, pageCtx, render } from "../responses";

/** /p/:token/bank — the sandbox bank's open-banking consent, with strong authentication (test mode only). */
export function registerSandboxBank(app: PageApp) {
  app.get("/:token/bank", async (c) => {
    const page = await openSandboxScreen(c, c.req.param("token"), "sepa_credit");
    if (page instanceof Response) return page;
    const reference = sandboxReference(c.req.query("ref")) ?? newSandboxReference("consent");
    return bankScreen(c, 200, page, { reference, selected: null, error: false });
  });

  app.post("/:token/bank", async (c) => {
    const accepted = await acceptSandboxForm(c, c.req.param("token"), "sepa_credit", { cancellable: true });
    if (accepted instanceof Response) return accepted;
    const { form, page, version } = accepted;
    const input = { page, version, account: form.account, sca: form.sca, reference: form.ref };
    const outcome = await payerAction(c, page, (ctx) => authorizeBankPayment({ ctx, input }));
    if (outcome instanceof Response) return outcome;
    if (outcome.kind === "sca_failed") return bankScreen(c, 422, page, { reference: outcome.reference, selected: outcome.account, error: true });
    return backToPage(c, page.link.token);
  });
}

async function bankScreen(c: PageContext, status: 200 | 422, p: PaymentPageData, input: { reference: string; selected: string | null; error: boolean }) {
  const ctx = pageCtx(c, p.link.token);
  const body = bankBody(ctx, p, { ...input, csrf: await csrfFor(c, p) });
  return render(c, status, { ctx, p, brand: SANDBOX_BANK_BRAND, heading: ctx.t.h_bank, body });
}

function groupIban(iban: string): string {
  return iban.replace(/(.{4})/g, "$1 ").trim();
}

function bankOutcome(t: Dict, iban: keyof typeof SANDBOX_IBANS): string {
  const s = SANDBOX_IBANS[iban];
  if (!("failure_code" in s)) return t.bank_outcome_ok;
  return s.failure_code === "insufficient_funds" ? t.bank_outcome_insufficient_funds : t.bank_outcome_account_blocked;
}

function bankBody(ctx: PageCtx, p: PaymentPageData, input: { csrf: string; reference: string; selected: string | null; error: boolean }) {
  const { t, lang } = ctx;
  const accounts = SANDBOX_PAYER_ACCOUNTS;
  const selected = input.selected ?? accounts[0];
  return (
    <>
      <BankIntro ctx={ctx} p={p} title={t.h_bank} intro={t.bank_intro} row={p.invoice ? [t.reference, p.invoice.number] : [t.description, p.link.description]} />
      <form class="card" method="post" action={pagePath(p.link.token, "/bank")}>
        <Hidden fields={{ csrf: input.csrf, version: p.intent.version, lang, ref: input.reference }} />
        <fieldset>
          <legend>{t.bank_accounts_legend}</legend>
          {accounts.map((iban) => (
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
