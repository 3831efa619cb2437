import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getPaymentLink } from "../../services/payment-links/query";
import { serviceContext } from "../context";
import { PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payment_links/{id}",
  operationId: "getPaymentLink",
  tags: ["Payment links"],
  summary: "Retrieve a payment link",
  description: "A payment link of the caller's organizations (X-Entity-Id optional), with its payment page URL. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), entityFromHeaderOrObject] as const,
  request: { params: PaymentLinkIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(PaymentLinkSchema, "The link."), ...errorResponses(404) },
});

export function registerGetPaymentLink(app: Router) {
  app.openapi(route, async (c) => c.json(await getPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
