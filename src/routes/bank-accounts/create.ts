import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { createBankAccount } from "../../services/bank-accounts/create-bank-account";
import { serviceContext } from "../../services/context";
import { DepartmentIdParam } from "../departments/schema";
import { BankAccountCreate, BankAccountSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/departments/{id}/bank_accounts",
  operationId: "createBankAccount",
  tags: ["Departments"],
  summary: "Add a bank account to a department",
  description: "Seed 001 quickstart step 5. The IBAN is encrypted at rest (AES-GCM) and only ever returned masked.",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: DepartmentIdParam, headers: IdempotencyHeader, body: jsonBody(BankAccountCreate) },
  responses: { 201: jsonResponse(BankAccountSchema, "The bank account."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreateBankAccount(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await createBankAccount({ ctx: serviceContext(c), departmentId: c.req.valid("param").id, input: c.req.valid("json") }), 201),
  );
}
