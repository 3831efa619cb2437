import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getInvoice } from "../../services/invoices/get-invoice";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices/{id}",
  operationId: "getInvoice",
  tags: ["Invoices"],
  summary: "Retrieve an invoice (with its credit note if cancelled by one)",
  description: "An invoice of the caller's organizations (X-Entity-Id optional); a cancelled issued invoice carries its credit note. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(InvoiceSchema, "The invoice."), ...errorResponses(404) },
});

export function registerGetInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await getInvoice({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200),
  );
}
