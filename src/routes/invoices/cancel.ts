import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { cancelInvoice, CancelInvoiceInput } from "../../services/invoices/cancel-invoice";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/invoices/{id}/cancel",
  operationId: "cancelInvoice",
  tags: ["Invoices"],
  summary: "Cancel an invoice (a credit note if it was issued)",
  description:
    "A draft is cancelled. An issued or overdue invoice with nothing paid is cancelled by a credit note (`AV-2026-00001`) citing its number and date. With money on it → 409 `invoice_has_payments`; with an active payment link → 409 `invoice_has_active_links` (revoke it first).",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: {
    params: InvoiceIdParam,
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: {
      required: false,
      content: {
        "application/json": {
          schema: CancelInvoiceInput,
        },
      },
    },
  },
  responses: { 200: jsonResponse(InvoiceSchema, "The cancelled invoice, with its credit note."), ...errorResponses(404, 409, 413, 415) },
});

export function registerCancelInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await cancelInvoice({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }),
      200,
    ),
  );
}
