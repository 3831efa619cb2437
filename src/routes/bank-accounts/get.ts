import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getBankAccount } from "../../services/bank-accounts/get-bank-account";
import { serviceContext } from "../context";
import { BankAccountParams, BankAccountSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/bank_accounts/{ba_id}",
  operationId: "getBankAccount",
  tags: ["Departments"],
  summary: "Retrieve a bank account",
  description: "The IBAN is stored encrypted and never returned: `iban_masked` and `iban_last4` only. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read"), entityFromHeaderOrObject] as const,
  request: { params: BankAccountParams, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(BankAccountSchema, "The bank account."), ...errorResponses(404) },
});

export function registerGetBankAccount(app: Router) {
  app.openapi(route, async (c) => {
    const { id, ba_id } = c.req.valid("param");
    return c.json(await getBankAccount({ ctx: serviceContext(c), departmentId: id, organizationId: c.get("entityScope"), id: ba_id }), 200);
  });
}
