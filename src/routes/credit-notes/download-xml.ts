import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, fileBody, fileResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getCreditNoteDocument } from "../../services/documents/invoice-documents";
import { CreditNoteIdParam } from "./schema";

const route = createRoute({
  method: "get",
  path: "/credit_notes/{id}/xml",
  operationId: "getCreditNoteXml",
  tags: ["Credit notes"],
  summary: "Download a credit note's CII XML",
  description: "The credit note's CII XML (EN 16931, type code 381) alone. Byte-identical on every call. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), entityFromHeaderOrObject] as const,
  request: { params: CreditNoteIdParam, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/xml", "The document."), ...errorResponses(404) },
});

export function registerDownloadCreditNoteXml(app: Router) {
  app.openapi(route, async (c) =>
    fileBody(await getCreditNoteDocument({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, format: "xml" })) as never,
  );
}
