import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { listInvoicePayments } from "../../services/payments/query";
import { serviceContext } from "../context";
import { InvoiceIdParam } from "../invoices/schema";
import { PaymentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices/{id}/payments",
  operationId: "listInvoicePayments",
  tags: ["Payments"],
  summary: "The payments of one invoice (partial payments add up)",
  description:
    "Every payment of the invoice, online or recorded at the counter, oldest first by payment date (partial payments add up). An offline payment voided stays listed with status `voided` and is not counted in the invoice's `amount_paid`. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(z.object({ data: z.array(PaymentSchema) }).openapi("InvoicePayments"), "The invoice's payments, oldest first."), ...errorResponses(404) },
});

export function registerListInvoicePayments(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listInvoicePayments({ ctx: serviceContext(c), organizationId: c.get("entityScope"), invoiceId: c.req.valid("param").id }), 200),
  );
}
