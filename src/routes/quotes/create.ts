import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { createQuote, CreateQuoteInput } from "../../services/quotes/create-quote";
import { QuoteSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/quotes",
  operationId: "createQuote",
  tags: ["Quotes"],
  summary: "Create a draft quote (devis)",
  description:
    "Seed 003 `quote`. The body of an invoice with `valid_until` instead of a due date; amounts are computed as an invoice's (line nets rounded half-up, VAT per rate on the sum of nets). The number is given when sent. `valid_until` before today → 400 `valid_until_in_past`. Emits `quote.created`. Scope `invoices:write`.",
  middleware: [requireScope("invoices:write"), requireEntity] as const,
  request: { headers: EntityHeader.merge(IdempotencyHeader), body: jsonBody(CreateQuoteInput) },
  responses: { 201: jsonResponse(QuoteSchema, "The draft quote."), ...errorResponses(404, 413, 415) },
});

export function registerCreateQuote(app: Router) {
  app.openapi(route, async (c) => c.json(await createQuote({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("json") }), 201));
}
