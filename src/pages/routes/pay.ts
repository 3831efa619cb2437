import { isPlausibleToken } from "../../services/pages/load-payment-page";
import { choosePaymentMethod } from "../../services/pages/choose-payment-method";
import { withQuery } from "../../lib/page-urls";
import type { PageApp } from "../env";
import { acceptForm, payerAction } from "../request";
import { backToPage, notFound, unavailable } from "../responses";

/** POST /p/:token/pay — the method chosen: the intent becomes pending, then the provider's screen takes over. */
export function registerPayForm(app: PageApp) {
  app.post("/:token/pay", async (c) => {
    const accepted = await acceptForm(c, c.req.param("token"));
    if (accepted instanceof Response) return accepted;
    const { form, page, version } = accepted;
    const outcome = await payerAction(c, page, (ctx) => choosePaymentMethod({ ctx, input: { page, version, method: form.method } }));
    if (outcome instanceof Response) return outcome;
    if (outcome.kind === "unavailable") return unavailable(c, page);
    return c.redirect(withQuery(outcome.redirectUrl, { lang: c.get("lang"), ref: outcome.reference }), 303);
  });

  // A browser that lands on the form's address (a reload after the redirect) goes back to the page.
  app.get("/:token/pay", (c) => (isPlausibleToken(c.req.param("token")) ? backToPage(c, c.req.param("token")) : notFound(c)));
}
