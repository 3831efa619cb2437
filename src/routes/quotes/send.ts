import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { sendQuote } from "../../services/quotes/send-quote";
import { QuoteIdParam, QuoteSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/quotes/{id}/send",
  operationId: "sendQuote",
  tags: ["Quotes"],
  summary: "Send a draft quote: give it its number and freeze it",
  description:
    "The number (`DEV-2026-00001`) comes from the organization's own gap-free yearly quote series; the seller as printed is frozen in `mentions`; a draft without `valid_until` becomes valid for 30 days. Anything but a draft → 409 `quote_not_draft`; a `valid_until` already past → 422 `valid_until_in_past`. Emits `quote.status_changed`. Scope `invoices:write`.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: QuoteIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(QuoteSchema, "The sent quote."), ...errorResponses(404, 409, 422) },
});

export function registerSendQuote(app: Router) {
  app.openapi(route, async (c) => c.json(await sendQuote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
