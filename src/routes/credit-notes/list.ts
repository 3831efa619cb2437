import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { listCreditNotes, ListCreditNotesInput } from "../../services/credit-notes/list-credit-notes";
import { serviceContext } from "../context";
import { CreditNoteSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/credit_notes",
  operationId: "listCreditNotes",
  tags: ["Credit notes"],
  summary: "List credit notes, newest first",
  description:
    "The credit notes of the X-Entity-Id organization, cancellations and partial ones (price reductions) in the one AV- series; filters on the invoice and the type. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListCreditNotesInput },
  responses: { 200: jsonResponse(paginated(CreditNoteSchema, "CreditNoteList"), "A page of credit notes."), ...errorResponses(404) },
});

export function registerListCreditNotes(app: Router) {
  app.openapi(route, async (c) => c.json(await listCreditNotes({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200));
}
