import { pagePath } from "../../lib/page-urls";
import { findInvoicePayment } from "../../services/pages/find-invoice-payment";
import type { PageApp } from "../env";
import { messageBody, notFound, pageCtx, render } from "../responses";

/**
 * GET /p/f/:ref — the payment address printed (with its QR code) on an issued invoice's PDF. An
 * invoice outlives its payment links, so the paper points here and this page sends the payer on to
 * whichever link is active now, or says there is nothing to pay online.
 */
export function registerInvoicePayment(app: PageApp) {
  app.get("/f/:ref", async (c) => {
    const found = await findInvoicePayment({ db: c.get("db"), env: c.env, ref: c.req.param("ref") });
    if (!found) return notFound(c);
    if (found.kind === "link") return c.redirect(pagePath(found.token, "", { lang: c.get("lang") }), 303);
    const ctx = pageCtx(c, null);
    const settled = found.kind === "settled";
    const title = settled ? ctx.t.h_invoice_paid : ctx.t.h_invoice_no_link;
    const text = settled ? ctx.t.invoice_paid_text : ctx.t.invoice_no_link_text;
    return render(c, 200, { ctx, heading: title, body: messageBody(ctx, { tone: settled ? "ok" : "off", title, text }) });
  });
}
