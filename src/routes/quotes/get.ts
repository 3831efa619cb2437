import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getQuote } from "../../services/quotes/get-quote";
import { QuoteIdParam, QuoteSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/quotes/{id}",
  operationId: "getQuote",
  tags: ["Quotes"],
  summary: "Retrieve a quote",
  description: "A quote of the caller's organizations (X-Entity-Id optional); once accepted it names its invoice (`invoice_id`). Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: QuoteIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(QuoteSchema, "The quote."), ...errorResponses(404) },
});

export function registerGetQuote(app: Router) {
  app.openapi(route, async (c) => c.json(await getQuote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
