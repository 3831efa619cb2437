import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { updateQuote, UpdateQuoteInput } from "../../services/quotes/update-quote";
import { QuoteIdParam, QuoteSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/quotes/{id}",
  operationId: "updateQuote",
  tags: ["Quotes"],
  summary: "Edit a draft quote",
  description: "Only drafts can be edited (409 `quote_not_draft` otherwise): a sent quote is the offer the payer holds. Scope `invoices:write`.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: QuoteIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(UpdateQuoteInput) },
  responses: { 200: jsonResponse(QuoteSchema, "The updated draft."), ...errorResponses(404, 409, 413, 415) },
});

export function registerUpdateQuote(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updateQuote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
