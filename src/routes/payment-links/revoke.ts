import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { revokePaymentLink } from "../../services/payment-links/query";
import { serviceContext } from "../context";
import { PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

const route = createRoute({
  method: "delete",
  path: "/payment_links/{id}",
  operationId: "revokePaymentLink",
  tags: ["Payment links"],
  summary: "Revoke a payment link",
  description: "Cancels its payment intent. Refused (409) once the payment is processing or done.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject, claimsUpfront] as const,
  request: { params: PaymentLinkIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(PaymentLinkSchema, "The revoked link."), ...errorResponses(404, 409) },
});

export function registerRevokePaymentLink(app: Router) {
  app.openapi(route, async (c) => c.json(await revokePaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
