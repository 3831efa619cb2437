import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { declineQuote, DeclineQuoteInput } from "../../services/quotes/decline-quote";
import { QuoteIdParam, QuoteSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/quotes/{id}/decline",
  operationId: "declineQuote",
  tags: ["Quotes"],
  summary: "Record the payer's refusal",
  description:
    "sent → declined, with an optional reason; final. A draft → 409 `quote_not_sent`; accepted → 409 `quote_already_accepted`; declined already → 409 `quote_already_declined`; past its `valid_until` → 409 `quote_expired`. Emits `quote.status_changed`. Scope `invoices:write`.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: {
    params: QuoteIdParam,
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: { required: false, content: { "application/json": { schema: DeclineQuoteInput } } },
  },
  responses: { 200: jsonResponse(QuoteSchema, "The declined quote."), ...errorResponses(404, 409, 413, 415) },
});

export function registerDeclineQuote(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await declineQuote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
