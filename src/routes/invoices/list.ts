import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { listInvoices, ListInvoicesInput } from "../../services/invoices/list-invoices";
import { InvoiceSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices",
  operationId: "listInvoices",
  tags: ["Invoices"],
  summary: "List invoices, newest first",
  description: "The invoices of the X-Entity-Id organization; filters on status, department, payer email (exact, case-insensitive), due dates, creation dates (instants or Paris dates) and number. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: ListInvoicesInput,
  },
  responses: { 200: jsonResponse(paginated(InvoiceSchema, "InvoiceList"), "A page of invoices."), ...errorResponses(404) },
});

export function registerListInvoices(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listInvoices({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200),
  );
}
