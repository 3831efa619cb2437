import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { createInvoice, CreateInvoiceInput } from "../../services/invoices/create-invoice";
import { InvoiceSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/invoices",
  operationId: "createInvoice",
  tags: ["Invoices"],
  summary: "Create a draft invoice",
  description:
    "Seed 001 \"Étape 1\". Amounts are computed here: line nets rounded half-up, VAT per rate on the sum of nets. The number is given at issue, not now. Emits `invoice.created`.",
  middleware: [requireScope("invoices:write"), requireEntity] as const,
  request: { headers: EntityHeader.merge(IdempotencyHeader), body: jsonBody(CreateInvoiceInput) },
  responses: { 201: jsonResponse(InvoiceSchema, "The draft invoice."), ...errorResponses(404, 413, 415) },
});

export function registerCreateInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await createInvoice({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("json") }), 201),
  );
}
