import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { listPaymentLinks, ListPaymentLinksInput } from "../../services/payment-links/query";
import { serviceContext } from "../context";
import { PaymentLinkSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payment_links",
  operationId: "listPaymentLinks",
  tags: ["Payment links"],
  summary: "List payment links, newest first",
  description: "The payment links of the X-Entity-Id organization, optionally of one status or invoice. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListPaymentLinksInput },
  responses: { 200: jsonResponse(paginated(PaymentLinkSchema, "PaymentLinkList"), "A page of links."), ...errorResponses(404) },
});

export function registerListPaymentLinks(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listPaymentLinks({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200),
  );
}
