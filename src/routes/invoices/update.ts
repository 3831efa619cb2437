import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { updateInvoice, UpdateInvoiceInput } from "../../services/invoices/update-invoice";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/invoices/{id}",
  operationId: "updateInvoice",
  tags: ["Invoices"],
  summary: "Edit a draft invoice",
  description: "Only drafts can be edited (409 `invoice_not_draft` otherwise): an issued invoice changes through payments or a credit note.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(UpdateInvoiceInput) },
  responses: { 200: jsonResponse(InvoiceSchema, "The updated draft."), ...errorResponses(404, 409, 413, 415) },
});

export function registerUpdateInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await updateInvoice({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }),
      200,
    ),
  );
}
