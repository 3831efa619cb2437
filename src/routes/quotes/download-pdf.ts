import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { renderQuoteDocument } from "../../services/quotes/render-quote-pdf";
import { QuoteIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/quotes/{id}/pdf",
  operationId: "getQuotePDF",
  tags: ["Quotes"],
  summary: "Download the quote's PDF",
  description:
    "A plain PDF/A (a quote is not an invoice: no Factur-X), rendered on each call and never archived: a sent quote as frozen when sent (`DEV-2026-00001.pdf`), with a « Bon pour accord » box; a draft as it would be sent now, marked as a draft, without a number. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: QuoteIdParam, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/pdf", "The PDF."), ...errorResponses(404) },
});

export function registerDownloadQuotePdf(app: Router) {
  app.openapi(route, async (c) => fileBody(await renderQuoteDocument({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id })) as never);
}
