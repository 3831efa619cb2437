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
  description:
    "The payment links and payment requests of the X-Entity-Id organization, with seed 003's filters: `status` (a stored status, or `reminded`, `preauthorized`), `invoice_id`, `type`, `currency`, `min_amount` / `max_amount` (cents, inclusive), `payer_name` (exact but for case, accents and spacing) and `payer_email` (exact) — a request's payer, matched through keyed hashes —, `created_from` / `created_to`. A bad value → 400 naming the parameter. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListPaymentLinksInput },
  responses: { 200: jsonResponse(paginated(PaymentLinkSchema, "PaymentLinkList"), "A page of links."), ...errorResponses(404) },
});

export function registerListPaymentLinks(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listPaymentLinks({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200),
  );
}
