import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { log, redactPath } from "../lib/log";
import { isPlausibleToken } from "../services/pages/load-payment-page";
import type { PageContext, PageEnv } from "./env";
import { pageLanguage } from "./i18n";
import { messageBody, notFound, pageCtx, render, tampered } from "./responses";
import { registerSandboxBank } from "./routes/bank";
import { registerSandboxCard } from "./routes/card";
import { registerInvoicePayment } from "./routes/invoice";
import { registerPayForm } from "./routes/pay";
import { registerPaymentPage } from "./routes/payment";
import { registerQrCode } from "./routes/qr-code";
import { registerThreeDsChallenge } from "./routes/three-ds";
import { pageSecurityHeaders } from "./security";

/**
 * The hosted payment page (DESIGN.md §1, §5): server-rendered, no JavaScript, one D1 round trip
 * per render, every state of the payment intent shown plainly, and forms that can neither be
 * forged (double-submit CSRF) nor replayed (the intent version they were rendered for). Money
 * only ever moves through the PaymentIntent Durable Object, which refuses a stale version.
 * One file per screen under routes/; the payer's actions are services (services/pages/).
 * Not part of the OpenAPI document.
 */
export function pageRoutes() {
  const app = new Hono<PageEnv>();

  app.use("*", pageSecurityHeaders, pageLanguage);
  app.use(
    "*",
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) => {
        const token = c.req.path.split("/")[2] ?? "";
        return isPlausibleToken(token) ? tampered(c as PageContext, token, 413) : notFound(c as PageContext);
      },
    }),
  );

  registerInvoicePayment(app);
  registerPaymentPage(app);
  registerPayForm(app);
  registerSandboxBank(app);
  registerSandboxCard(app);
  registerThreeDsChallenge(app);
  registerQrCode(app);

  app.all("*", (c) => notFound(c));

  app.onError((err, c) => {
    log.error("payment page: unhandled error", { request_id: c.get("requestId"), method: c.req.method, path: redactPath(c.req.path), error: err });
    const ctx = pageCtx(c, null);
    return render(c, 500, { ctx, heading: ctx.t.h_error, body: messageBody(ctx, { tone: "ko", title: ctx.t.h_error, text: ctx.t.error_text }) });
  });

  return app;
}
