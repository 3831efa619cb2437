import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { erasePayer, ErasePayerInput } from "../../services/privacy/erase-payer";
import { serviceContext } from "../context";
import { PrivacyErasureSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/privacy/erasures",
  operationId: "erasePayerData",
  tags: ["Privacy"],
  summary: "Erase a payer's data where the law allows (GDPR art. 17)",
  description:
    "Across all the partner's organizations in this mode (no X-Entity-Id). Erased: draft invoices and quotes not accepted (payer replaced by an anonymized payer), revoked or expired payment requests (payer removed), emails sent to the payer (recipient and content erased; one still queued is not sent), and the payloads of the events about all of those and about the kept objects. " +
    "Kept, with the reason in `kept`: issued invoices, credit notes, payments (the ledger: 10-year accounting obligation, Code de commerce L123-22), accepted quotes and completed links; an active request must be revoked first. " +
    "At most 100 rows of each kind per call (`remaining: true`: call again). Idempotent: a second call erases nothing and answers `status: nothing_to_erase`. Audited as a partner-level entry (`resource_type: privacy_erasure`) with the email masked. Scope `privacy:write`.",
  middleware: [requireScope("privacy:write")] as const,
  request: { headers: IdempotencyHeader, body: jsonBody(ErasePayerInput) },
  responses: { 200: jsonResponse(PrivacyErasureSchema, "What was erased and what was kept, and why."), ...errorResponses(415) },
});

export function registerErasePayerData(app: Router) {
  app.openapi(route, async (c) => c.json(await erasePayer({ ctx: serviceContext(c), input: c.req.valid("json") }), 200));
}
