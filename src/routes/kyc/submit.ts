import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { submitKyc, SubmitKycInput } from "../../services/kyc/submit-kyc";
import { DepartmentIdParam } from "../departments/schema";
import { KycSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/departments/{id}/kyc",
  operationId: "submitKyc",
  tags: ["Departments"],
  summary: "Submit the department's payee identity for verification (KYC)",
  description:
    "Seed 001 quickstart step 6. Every field is optional: defaults come from the organization and the department's default bank account. A submission covers one bank account (`bank_account_id`, or the account with `iban`, or the default one); that account's `verification_status` follows it, and live payment links pay only into a verified default account. In test mode the sandbox decides at once: the blocked-account IBAN (…125) or a holder named 'Rejected …' is rejected, anything else verified.",
  middleware: [requireScope("organizations:write"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(SubmitKycInput) },
  responses: { 201: jsonResponse(KycSchema, "The verification."), ...errorResponses(404, 413, 415, 422) },
});

export function registerSubmitKyc(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await submitKyc({ ctx: serviceContext(c), departmentId: c.req.valid("param").id, organizationId: c.get("entityScope"), input: c.req.valid("json") }), 201),
  );
}
