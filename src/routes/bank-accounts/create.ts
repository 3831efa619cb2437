import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { createBankAccount, CreateBankAccountInput } from "../../services/bank-accounts/create-bank-account";
import { serviceContext } from "../context";
import { DepartmentIdParam } from "../departments/schema";
import { BankAccountSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/departments/{id}/bank_accounts",
  operationId: "createBankAccount",
  tags: ["Departments"],
  summary: "Add a bank account to a department",
  description:
    "Seed 001 quickstart step 5. The IBAN is encrypted at rest (AES-GCM) and only ever returned masked. A new account is `unverified` until a KYC covers it (POST /v1/departments/{id}/kyc). Made the default over another account, it emits `bank_account.default_changed` and an audit entry, and live payment links refuse it until it is verified. 409 `bank_account_exists` for an IBAN already registered, `concurrent_update` if the default changed meanwhile (retry).",
  middleware: [requireScope("organizations:write"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(CreateBankAccountInput) },
  responses: { 201: jsonResponse(BankAccountSchema, "The bank account."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreateBankAccount(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await createBankAccount({ ctx: serviceContext(c), departmentId: c.req.valid("param").id, organizationId: c.get("entityScope"), input: c.req.valid("json") }), 201),
  );
}
