import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { exportPayer, ExportPayerInput } from "../../services/privacy/export-payer";
import { serviceContext } from "../context";
import { PrivacyExportSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/privacy/payers",
  operationId: "exportPayerData",
  tags: ["Privacy"],
  summary: "Everything held about one payer (GDPR art. 15)",
  description:
    "Across all the partner's organizations in this mode (no X-Entity-Id): the payer's invoices and quotes (payer unsealed), payment links and requests, their payments and credit notes, the emails sent to them (recipient unsealed) and the events about those objects (id, type, time). " +
    "Found through the blind indexes (keyed hashes of the email), never by reading clear text; another partner's payers never appear, and no match answers 200 with empty lists. " +
    "At most 500 rows of each kind (`truncated`). Audited as a partner-level entry (`resource_type: privacy_export`) with the email masked. Scope `privacy:read`.",
  middleware: [requireScope("privacy:read")] as const,
  request: { query: ExportPayerInput },
  responses: { 200: jsonResponse(PrivacyExportSchema, "The payer's data."), ...errorResponses() },
});

export function registerExportPayerData(app: Router) {
  app.openapi(route, async (c) => c.json(await exportPayer({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
