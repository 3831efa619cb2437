import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { listQuotes, ListQuotesInput } from "../../services/quotes/list-quotes";
import { QuoteSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/quotes",
  operationId: "listQuotes",
  tags: ["Quotes"],
  summary: "List quotes, newest first",
  description: "The quotes of the X-Entity-Id organization; filters on status, department, payer email (exact, case-insensitive), creation dates and number. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListQuotesInput },
  responses: { 200: jsonResponse(paginated(QuoteSchema, "QuoteList"), "A page of quotes."), ...errorResponses(404) },
});

export function registerListQuotes(app: Router) {
  app.openapi(route, async (c) => c.json(await listQuotes({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200));
}
