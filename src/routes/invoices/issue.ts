import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { issueInvoice } from "../../services/invoices/issue-invoice";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/invoices/{id}/issue",
  operationId: "issueInvoice",
  tags: ["Invoices"],
  summary: "Issue a draft: give it its number and freeze its mentions",
  description:
    "Seed 001 \"Étape 2\". The number (`FAC-2026-00001`) comes from the organization's gap-free yearly series. Anything but a draft → 409. Emits `invoice.status_changed`.",
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(InvoiceSchema, "The issued invoice."), ...errorResponses(404, 409, 422) },
});

export function registerIssueInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await issueInvoice({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200),
  );
}
