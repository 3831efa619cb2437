import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getCreditNote } from "../../services/credit-notes/get-credit-note";
import { serviceContext } from "../context";
import { CreditNoteIdParam, CreditNoteSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/credit_notes/{id}",
  operationId: "getCreditNote",
  tags: ["Credit notes"],
  summary: "Retrieve a credit note",
  description:
    "A credit note (avoir, AV-… series) of the caller's organizations (X-Entity-Id optional): a `cancellation` (an issued invoice cancelled) or a `price_reduction` (a refund that lowered the price), citing the invoice it credits by number and date. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: CreditNoteIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(CreditNoteSchema, "The credit note."), ...errorResponses(404) },
});

export function registerGetCreditNote(app: Router) {
  app.openapi(route, async (c) => c.json(await getCreditNote({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
