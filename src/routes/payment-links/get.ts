import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { getPaymentLink } from "../../services/payment-links/query";
import { serviceContext } from "../context";
import { PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

const route = createRoute({
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

export function registerGetPaymentLink(app: Router) {
  app.openapi(route, async (c) => c.json(await getPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityId"), id: c.req.valid("param").id }), 200));
}
