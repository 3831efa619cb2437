import { pagePath } from "../../lib/page-urls";
import { newSandboxReference, sandboxReference } from "../../providers/sandbox-reference";
import type { PaymentPageData } from "../../services/pages/load-payment-page";
import { submitCard, type CardField } from "../../services/pages/submit-card";
import { Field, Hidden, HoldNotice, Summary } from "../components";
import type { PageApp, PageContext } from "../env";
import { formatMoney } from "../i18n";
import type { PageCtx } from "../layout";
import { acceptSandboxForm, csrfFor, openSandboxScreen, payerAction } from "../request";
import { backToPage, pageCtx, render } from "../responses";
import { signCard } from "../security";

/** /p/:token/card — the sandbox acquirer's card form (test mode only); 3-D Secure follows when the card asks for it. */
export function registerSandboxCard(app: PageApp) {
  app.get("/:token/card", async (c) => {
    const page = await openSandboxScreen(c, c.req.param("token"), "card");
    if (page instanceof Response) return page;
    const reference = sandboxReference(c.req.query("ref")) ?? newSandboxReference("card");
    return cardScreen(c, 200, page, { reference, error: null, expiry: "" });
  });

  app.post("/:token/card", async (c) => {
    const accepted = await acceptSandboxForm(c, c.req.param("token"), "card");
    if (accepted instanceof Response) return accepted;
    const { form, page, version } = accepted;
    const token = page.link.token;
    const input = { page, version, number: form.number, expiry: form.expiry, cvc: form.cvc, reference: form.ref };
    const outcome = await payerAction(c, page, (ctx) => submitCard({ ctx, input }));
    if (outcome instanceof Response) return outcome;
    switch (outcome.kind) {
      case "applied":
        return backToPage(c, token);
      case "card_invalid":
        // The card number and code are never echoed back; the expiry date is harmless.
        return cardScreen(c, 422, page, { reference: outcome.reference, error: outcome.field, expiry: (form.expiry ?? "").slice(0, 7) });
      case "challenge": {
        const card = await signCard(c.env.JWT_SECRET, token, version, outcome.last4);
        return c.redirect(pagePath(token, "/card/3ds", { lang: c.get("lang"), ref: outcome.reference, card }), 303);
      }
    }
  });
}

async function cardScreen(c: PageContext, status: 200 | 422, p: PaymentPageData, input: { reference: string; error: CardField | null; expiry: string }) {
  const ctx = pageCtx(c, p.link.token);
  return render(c, status, { ctx, p, heading: ctx.t.h_card, body: cardBody(ctx, p, { ...input, csrf: await csrfFor(c, p) }) });
}

function cardBody(ctx: PageCtx, p: PaymentPageData, input: { csrf: string; reference: string; error: CardField | null; expiry: string }) {
  const { t, lang } = ctx;
  const err = (f: CardField, message: string) => (input.error === f ? message : undefined);
  return (
    <>
      <div class="card">
        <h1>{p.link.type === "preauth" ? t.h_hold : t.h_card}</h1>
        {p.link.type === "preauth" ? <HoldNotice ctx={ctx} /> : null}
        <Summary ctx={ctx} p={p} label={p.link.type === "preauth" ? t.amount_to_authorize : undefined} />
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
          {`${p.link.type === "preauth" ? t.authorize_amount : t.pay_amount} ${formatMoney(p.link.amount, p.link.currency, lang)}`}
        </button>
        <p>
          <a href={pagePath(p.link.token, "", { lang })}>{t.change_method}</a>
        </p>
      </form>
    </>
  );
}
