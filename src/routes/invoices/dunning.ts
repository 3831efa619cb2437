import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { setInvoiceDunning, SetInvoiceDunningInput } from "../../services/invoices/pause-dunning";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/invoices/{id}/dunning",
  operationId: "setInvoiceDunning",
  tags: ["Invoices", "Dunning"],
  summary: "Pause or resume dunning reminders for one invoice",
  description:
    "`{paused: true}` stops the organization's dunning rules for this invoice (a dispute, a payment plan); `{paused: false}` resumes them, and a step that came due meanwhile is sent at the next run. The invoice shows `dunning_paused`. Audited.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(SetInvoiceDunningInput) },
  responses: { 200: jsonResponse(InvoiceSchema, "The invoice."), ...errorResponses(404, 413, 415) },
});

export function registerSetInvoiceDunning(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await setInvoiceDunning({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
