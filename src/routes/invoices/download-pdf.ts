import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getInvoiceDocument } from "../../services/documents/invoice-documents";
import { InvoiceIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices/{id}/pdf",
  operationId: "getInvoicePDF",
  tags: ["Invoices"],
  summary: "Download the invoice's Factur-X PDF (or a draft's preview)",
  description:
    "An issued invoice (any status after draft, cancelled included): its Factur-X 1.0 PDF/A-3b, profile EN 16931, with the CII XML embedded as `factur-x.xml` — the document archived at issue, byte-identical on every call (`X-Document-Sha256` = the invoice's `document.sha256`). A draft: a preview marked \"Brouillon — ne vaut pas facture\", with no number and no Factur-X attachment, rendered on each call and never stored. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/pdf", "The PDF."), ...errorResponses(404) },
});

export function registerDownloadInvoicePdf(app: Router) {
  app.openapi(route, async (c) => {
    const doc = await getInvoiceDocument({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, format: "pdf" });
    return fileBody(doc) as never;
  });
}
