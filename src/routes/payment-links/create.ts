import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { createPaymentLink, CreatePaymentLinkInput } from "../../services/payment-links/create-payment-link";
import { serviceContext } from "../context";
import { PaymentLinkSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/payment_links",
  operationId: "createPaymentLink",
  tags: ["Payment links"],
  summary: "Create a payment link (and its payment intent) for an issued invoice",
  description:
    "Seed 001 \"Étape 3\". Only issued, partially paid or overdue invoices take links (409 otherwise). The active links of an invoice never add up to more than its amount due (422 `amount_exceeds_due`). Live mode pays into the department's default bank account and needs that account covered by a verified KYC: 422 `bank_account_required` without a default account, `bank_account_not_verified` when no KYC covers it (e.g. a new default IBAN), `kyc_not_verified` when its KYC is pending or rejected; the message names the account. Test mode does not check KYC. Emits `payment_link.created`.",
  middleware: [requireScope("payments:write"), requireEntity] as const,
  request: { headers: EntityHeader.merge(IdempotencyHeader), body: jsonBody(CreatePaymentLinkInput) },
  responses: { 201: jsonResponse(PaymentLinkSchema, "The link, with its payment page URL."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreatePaymentLink(app: Router) {
  app.openapi(route, async (c) => c.json(await createPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("json") }), 201));
}
