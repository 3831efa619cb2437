import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getCreditNoteDocument } from "../../services/documents/invoice-documents";
import { CreditNoteIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/credit_notes/{id}/pdf",
  operationId: "getCreditNotePdf",
  tags: ["Credit notes"],
  summary: "Download a credit note's Factur-X PDF",
  description: "The credit note's Factur-X 1.0 PDF/A-3b (EN 16931, type code 381) with its CII XML embedded as `factur-x.xml`, citing the credited invoice (BT-25/26). Made once when the credit note is created (by the cancel, or by the minute cron for a price reduction settled by a refund — or by this first download), then byte-identical on every call (`X-Document-Sha256`). Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: CreditNoteIdParam, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/pdf", "The document."), ...errorResponses(404) },
});

export function registerDownloadCreditNotePdf(app: Router) {
  app.openapi(route, async (c) =>
    fileBody(await getCreditNoteDocument({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, format: "pdf" })) as never,
  );
}
