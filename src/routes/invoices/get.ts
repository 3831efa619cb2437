import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getInvoice } from "../../services/invoices/get-invoice";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices/{id}",
  operationId: "getInvoice",
  tags: ["Invoices"],
  summary: "Retrieve an invoice (with its credit note if cancelled by one)",
  description: "An invoice of the X-Entity-Id organization; a cancelled issued invoice carries its credit note. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: { params: InvoiceIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(InvoiceSchema, "The invoice."), ...errorResponses(404) },
});

export function registerGetInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await getInvoice({ ctx: serviceContext(c), organizationId: c.get("entityId"), id: c.req.valid("param").id }), 200),
  );
}
