import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { acceptQuote } from "../../services/quotes/accept-quote";
import { QuoteIdParam, QuoteSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/quotes/{id}/accept",
  operationId: "acceptQuote",
  tags: ["Quotes"],
  summary: "Record the payer's acceptance: the quote becomes a draft invoice",
  description:
    "sent → accepted. In the same write, a draft invoice is made with the quote's department, payer, lines, payment terms and VAT exemption, and `quote_id` naming the quote; the quote's `invoice_id` names it (issue it as any draft). A draft quote → 409 `quote_not_sent`; accepted already → 409 `quote_already_accepted` (still one invoice); declined → 409 `quote_already_declined`; past its `valid_until` (swept or not yet) → 409 `quote_expired`. Nothing is written on a refusal. Emits `invoice.created` and `quote.status_changed`. Scope `invoices:write`.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: QuoteIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(QuoteSchema, "The accepted quote, with `invoice_id`."), ...errorResponses(404, 409) },
});

export function registerAcceptQuote(app: Router) {
  app.openapi(route, async (c) => c.json(await acceptQuote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
