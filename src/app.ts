import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Context } from "hono";
import type { AppEnv } from "./env";
import { DomainError, ValidationError } from "./lib/errors";
import { errorResponse } from "./lib/http-errors";
import { createRouter, documentMiddlewareResponses } from "./lib/openapi";
import { withEntityRuleTable } from "./lib/entity-rule";
import { authenticate } from "./middleware/auth";
import { gate } from "./middleware/gate";
import { idempotency } from "./middleware/idempotency";
import { refuseBadBookmark, requestContext } from "./middleware/request-context";
import { requestLog } from "./middleware/request-log";
import { securityHeaders } from "./middleware/security-headers";
import { pageRoutes } from "./pages";
import { adminRoutes } from "./routes/admin";
import { authRoutes } from "./routes/auth/token";
import { registerAuditLogRoutes } from "./routes/audit-logs";
import { registerBalanceRoutes } from "./routes/balance";
import { registerBankAccountRoutes } from "./routes/bank-accounts";
import { registerCreditNoteRoutes } from "./routes/credit-notes";
import { registerDepartmentRoutes } from "./routes/departments";
import { registerDunningRuleRoutes } from "./routes/dunning-rules";
import { registerEventRoutes } from "./routes/events";
import { registerExportRoutes } from "./routes/exports";
import { registerHealthRoute } from "./routes/health";
import { apiServers } from "./routes/support/servers";
import { registerSupportRoutes } from "./routes/support";
import { registerInvoiceRoutes } from "./routes/invoices";
import { registerKycRoutes } from "./routes/kyc";
import { registerMessageRoutes } from "./routes/messages";
import { registerOrganizationRoutes } from "./routes/organizations";
import { registerPaymentIntentRoutes } from "./routes/payment-intents";
import { registerPaymentLinkRoutes } from "./routes/payment-links";
import { registerPaymentRoutes } from "./routes/payments";
import { registerPrivacyRoutes } from "./routes/privacy";
import { registerQuoteRoutes } from "./routes/quotes";
import { registerRequestLogRoutes } from "./routes/request-logs";
import { registerRefundRoutes } from "./routes/refunds";
import { registerSandboxRoutes } from "./routes/sandbox";
import { registerWebhookSubscriptionRoutes } from "./routes/webhook-subscriptions";
import { log, redactPath } from "./lib/log";

export const API_VERSION = "1.0.0";
const MAX_BODY_BYTES = 1024 * 1024;

function onError(err: Error, c: Context<AppEnv>) {
  const requestId = c.get("requestId") ?? "unknown";
  let known: DomainError;
  // drizzle wraps what a statement's D1 client throws ("Failed query", the original as `cause`):
  // a domain error from our own D1 wrappers (an Idempotency-Key held by a duplicate, the partner
  // gate's refusal) is that refusal, not an unhandled error.
  const cause = (err as { cause?: unknown }).cause;
  if (err instanceof DomainError) {
    known = err;
  } else if (cause instanceof DomainError) {
    known = cause;
  } else if (err instanceof HTTPException && err.status < 500) {
    known =
      err.status === 415
        ? new DomainError("unsupported_format", "unsupported_media_type", "Content-Type must be application/json.")
        : err.status === 413
          ? tooLarge()
          : new ValidationError(
              /Malformed JSON/i.test(err.message) ? "The request body is not valid JSON." : err.message,
              undefined,
              /Malformed JSON/i.test(err.message) ? "invalid_json" : "invalid_request",
            );
  } else {
    log.error("unhandled error", { request_id: requestId, method: c.req.method, path: redactPath(c.req.path), error: err });
    known = new DomainError("internal", "internal_error", "An unexpected error occurred. It has been logged; retry with the same Idempotency-Key.");
  }
  return errorResponse(c, known, requestId);
}

function tooLarge() {
  return new DomainError("too_large", "body_too_large", "Request body is larger than 1 MB.");
}

export function createApp() {
  // The root carries only /health, outside the API: a monitor's cache-busting query is fine there.
  const app = createRouter({ strictQuery: false });
  app.use("*", requestContext);
  // The API call log: every /v1 request, its final status included (error responses too).
  app.use("/v1/*", requestLog);
  app.use("*", securityHeaders);
  app.use("*", async (c, next) => {
    await next();
    if (c.req.path.startsWith("/v1/")) c.res.headers.set("Cache-Control", "no-store");
  });
  app.use("/v1/*", refuseBadBookmark);
  app.onError(onError);
  app.notFound((c) => errorResponse(c, new DomainError("not_found", "route_not_found", `No route ${c.req.method} ${c.req.path}.`), c.get("requestId")));

  registerHealthRoute(app);
  app.route("/p", pageRoutes());

  const v1 = createRouter();
  v1.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw tooLarge();
      },
    }),
  );
  v1.route("/admin", adminRoutes());
  v1.route("/auth", authRoutes());

  // Everything below is partner API: who is calling, and may they (gate). Retry safety is
  // appended to each mutation route after its own scope and tenancy checks (createRouter).
  // Registered last, so admin and auth routes above answer before these middlewares run.
  const partner = createRouter({ idempotency: idempotency() });
  partner.use("*", authenticate, gate);
  registerOrganizationRoutes(partner);
  registerDepartmentRoutes(partner);
  registerDunningRuleRoutes(partner);
  registerBankAccountRoutes(partner);
  registerKycRoutes(partner);
  registerInvoiceRoutes(partner);
  registerCreditNoteRoutes(partner);
  registerQuoteRoutes(partner);
  registerPaymentLinkRoutes(partner);
  registerPaymentIntentRoutes(partner);
  registerPaymentRoutes(partner);
  registerMessageRoutes(partner);
  registerRefundRoutes(partner);
  registerBalanceRoutes(partner);
  registerSandboxRoutes(partner);
  registerAuditLogRoutes(partner);
  registerRequestLogRoutes(partner);
  registerWebhookSubscriptionRoutes(partner);
  registerEventRoutes(partner);
  registerExportRoutes(partner);
  registerPrivacyRoutes(partner);
  v1.route("/", partner);


  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from POST /v1/auth/token, or a secret key `sk_test_…` / `sk_live_…`.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "`pk_test_…:sk_test_…` (publishable and secret key, colon-separated).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "adminKey", {
    type: "http",
    scheme: "bearer",
    description:
      "The operator's ADMIN_API_KEY (admin endpoints only). Wrong keys are throttled per client address: after 10 in 10 minutes every attempt from it is answered 429 `too_many_failed_attempts` with `Retry-After`, until the window ends.",
  });
  // As app.doc31 does, plus the responses of the middlewares (body limit, idempotency) on the operations they guard.
  app.get("/v1/openapi.json", (c) => c.json(withEntityRuleTable(documentMiddlewareResponses(app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Paiements API",
      version: API_VERSION,
      description:
        "White-label payments and invoicing for the French market. Amounts are integer cents; dates are read in Europe/Paris. Every error has the same envelope with a `request_id`. " +
        "Free-text fields (names, addresses, invoice lines, terms, reasons, descriptions, metadata) are stored in Unicode NFC and refuse control characters (newlines and tabs only in descriptions and metadata values), bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), invisible characters (U+200B–U+200D, U+2060–U+2064, U+FEFF), U+2028, U+2029 and lone surrogates: 400 `invalid_parameter` naming the field.",
      contact: { name: "Paiements API reference", url: `${apiServers(c)[0]!.url}/docs` },
    },
    servers: apiServers(c),
    security: [{ bearerAuth: [] }, { apiKey: [] }] as Record<string, string[]>[],
    tags: [
      { name: "Auth", description: "OAuth2 client credentials." },
      { name: "Organizations", description: "Companies and public bodies you collect for." },
      { name: "Departments", description: "Régies and services, each with its bank accounts and KYC." },
      { name: "Invoices", description: "French invoices: VAT per rate, numbers at issue, credit notes." },
      { name: "Credit notes", description: "Avoirs (AV- series): an issued invoice cancelled, or its price reduced by a refund (a partial credit note)." },
      { name: "Quotes", description: "Quotes (devis): numbered when sent, accepted into a draft invoice, declined, or expired after their validity." },
      { name: "Payment links", description: "Links to the hosted payment page, one payment intent each." },
      { name: "Payment intents", description: "One per link; its state lives in a Durable Object, projected to D1." },
      { name: "Payments", description: "The ledger: one entry per payment — online (pending while on its way, then completed, failed or a released hold) or recorded at the counter; only received money counts." },
      { name: "Refunds", description: "Partial, total and multiple refunds, serialized by the payment intent's Durable Object." },
      { name: "Reports", description: "Statistics over the ledger and the balance statement (scope reports:read); money goes straight to the departments' accounts, we never hold it." },
      { name: "Messages", description: "Emails and SMS sent to payers; in test mode nothing leaves the platform and the outbox shows what would have been sent." },
      { name: "Exports", description: "Files for accountants: the FEC (fichier des écritures comptables) and CSVs of invoices and payments, streamed." },
      { name: "Dunning", description: "Reminder rules relative to due dates, sent by the hourly job (and the sandbox sweep) once per invoice and rule." },
      { name: "Sandbox", description: "Test-mode helpers: run scheduled jobs as of a date." },
      { name: "Webhooks", description: "Endpoints that receive signed events (partner-level), and their secrets." },
      { name: "Events", description: "Everything that happened, what each endpoint answered, and redelivery." },
      { name: "Audit", description: "Who changed what, when, from where." },
      { name: "Privacy", description: "A payer's rights (GDPR art. 15 and 17): export everything held about them, erase what the law allows." },
      { name: "Admin", description: "Operator endpoints (ADMIN_API_KEY)." },
      { name: "Ops", description: "Health, and the changelog (GET /changelog)." },
    ],
  })))));
  // Mounted after the document routes: the partner middleware of /v1 must not guard them.
  app.route("/v1", v1);
  // /docs (and / and /api-docs sending there), /changelog: src/routes/support.
  registerSupportRoutes(app);
  return app;
}
