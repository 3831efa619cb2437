import { pagePath } from "../../lib/page-urls";
import { sandboxReference } from "../../providers/sandbox-reference";
import { confirm3ds } from "../../services/pages/confirm-3ds";
import type { PaymentPageData } from "../../services/pages/load-payment-page";
import { BankIntro, Field, Hidden } from "../components";
import type { PageApp } from "../env";
import { SANDBOX_BANK_BRAND, type PageCtx } from "../layout";
import { acceptSandboxForm, csrfFor, openSandboxScreen, payerAction } from "../request";
import { backToPage, pageCtx, render, tampered } from "../responses";
import { readSignedCard } from "../security";

/**
 * /p/:token/card/3ds — the card issuer's 3-D Secure challenge (test mode only). The card comes
 * from the card form as its signed last four digits: a challenge for another card, link or
 * attempt is a tampered form.
 */
export function registerThreeDsChallenge(app: PageApp) {
  app.get("/:token/card/3ds", async (c) => {
    const token = c.req.param("token");
    const p = await openSandboxScreen(c, token, "card");
    if (p instanceof Response) return p;
    const card = c.req.query("card");
    const last4 = await readSignedCard(c.env.JWT_SECRET, token, p.intent.version, card);
    const reference = sandboxReference(c.req.query("ref"));
    if (!last4 || !reference) return tampered(c, token);
    const ctx = pageCtx(c, token);
    return render(c, 200, { ctx, p, brand: SANDBOX_BANK_BRAND, heading: ctx.t.h_3ds, body: threeDsBody(ctx, p, { csrf: await csrfFor(c, p), reference, card: card!, last4 }) });
  });

  app.post("/:token/card/3ds", async (c) => {
    const token = c.req.param("token");
    const accepted = await acceptSandboxForm(c, token, "card");
    if (accepted instanceof Response) return accepted;
    const { form, page, version } = accepted;
    const last4 = await readSignedCard(c.env.JWT_SECRET, token, version, form.card);
    if (!last4) return tampered(c, token);
    const confirmed = await payerAction(c, page, (ctx) => confirm3ds({ ctx, input: { page, version, last4, code: form.code, reference: form.ref } }));
    return confirmed instanceof Response ? confirmed : backToPage(c, token);
  });
}

function threeDsBody(ctx: PageCtx, p: PaymentPageData, input: { csrf: string; reference: string; card: string; last4: string }) {
  const { t, lang } = ctx;
  return (
    <>
      <BankIntro ctx={ctx} p={p} title={t.h_3ds} intro={t.tds_intro} row={[t.card_ending, input.last4]} />
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
