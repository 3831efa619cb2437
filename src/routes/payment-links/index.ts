import { createRoute, z } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../../services/context";
import { createPaymentLink } from "../../services/payment-links/create-payment-link";
import { getPaymentLink, listPaymentLinks, revokePaymentLink } from "../../services/payment-links/query";
import { PaymentLinkCreate, PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

const create = createRoute({
  method: "post",
  path: "/payment_links",
  operationId: "createPaymentLink",
  tags: ["Payment links"],
  summary: "Create a payment link (and its payment intent) for an issued invoice",
  description:
    "Seed 001 \"Étape 3\". Only issued, partially paid or overdue invoices take links (409 otherwise). The active links of an invoice never add up to more than its amount due (422 `amount_exceeds_due`). Live mode pays into the department's default bank account and needs that account covered by a verified KYC: 422 `bank_account_required` without a default account, `bank_account_not_verified` when no KYC covers it (e.g. a new default IBAN), `kyc_not_verified` when its KYC is pending or rejected; the message names the account. Test mode does not check KYC. Emits `payment_link.created`.",
  middleware: [requireScope("payments:write"), requireEntity] as const,
  request: { headers: EntityHeader.merge(IdempotencyHeader), body: jsonBody(PaymentLinkCreate) },
  responses: { 201: jsonResponse(PaymentLinkSchema, "The link, with its payment page URL."), ...errorResponses(404, 409, 413, 415, 422) },
});

const get = createRoute({
  method: "get",
  path: "/payment_links/{id}",
  operationId: "getPaymentLink",
  tags: ["Payment links"],
  summary: "Retrieve a payment link",
  description: "A payment link of the X-Entity-Id organization, with its payment page URL. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { params: PaymentLinkIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(PaymentLinkSchema, "The link."), ...errorResponses(404) },
});

const list = createRoute({
  method: "get",
  path: "/payment_links",
  operationId: "listPaymentLinks",
  tags: ["Payment links"],
  summary: "List payment links, newest first",
  description: "The payment links of the X-Entity-Id organization, optionally of one status or invoice. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: PaginationQuery.extend({
      status: z.enum(["active", "completed", "expired", "revoked"]).optional(),
      invoice_id: z.string().max(100).optional(),
    }),
  },
  responses: { 200: jsonResponse(paginated(PaymentLinkSchema, "PaymentLinkList"), "A page of links."), ...errorResponses(404) },
});

const revoke = createRoute({
  method: "delete",
  path: "/payment_links/{id}",
  operationId: "revokePaymentLink",
  tags: ["Payment links"],
  summary: "Revoke a payment link",
  description: "Cancels its payment intent. Refused (409) once the payment is processing or done.",
  middleware: [requireScope("payments:write"), requireEntity] as const,
  request: { params: PaymentLinkIdParam, headers: EntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(PaymentLinkSchema, "The revoked link."), ...errorResponses(404, 409) },
});

export function registerPaymentLinkRoutes(app: Router) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    return c.json(await listPaymentLinks({ ctx: serviceContext(c), organizationId: c.get("entityId")!, input: { ...pageParams(q), status: q.status, invoice_id: q.invoice_id } }), 200);
  });
  app.openapi(create, async (c) => c.json(await createPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId")!, input: c.req.valid("json") }), 201));
  app.openapi(get, async (c) => c.json(await getPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId")!, id: c.req.valid("param").id }), 200));
  app.openapi(revoke, async (c) => c.json(await revokePaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId")!, id: c.req.valid("param").id }), 200));
}
