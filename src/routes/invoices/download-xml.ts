import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getInvoiceDocument } from "../../services/documents/invoice-documents";
import { InvoiceIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices/{id}/xml",
  operationId: "getInvoiceXML",
  tags: ["Invoices"],
  summary: "Download the invoice's Factur-X CII XML",
  description:
    "The CII XML (EN 16931, guideline `urn:cen.eu:en16931:2017`) embedded in the invoice's PDF, alone — what a platform agréée or Chorus Pro ingests. Byte-identical on every call (`X-Document-Sha256` = the invoice's `document.xml_sha256`). A draft has none: 409 `invoice_not_issued`. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/xml", "The CII XML."), ...errorResponses(404, 409) },
});

export function registerDownloadInvoiceXml(app: Router) {
  app.openapi(route, async (c) => {
    const doc = await getInvoiceDocument({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, format: "xml" });
    return fileBody(doc) as never;
  });
}
