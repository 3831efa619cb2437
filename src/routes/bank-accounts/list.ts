import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { listBankAccounts, ListBankAccountsInput } from "../../services/bank-accounts/list-bank-accounts";
import { serviceContext } from "../context";
import { DepartmentIdParam } from "../departments/schema";
import { BankAccountSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/bank_accounts",
  operationId: "listBankAccounts",
  tags: ["Departments"],
  summary: "List a department's bank accounts, default first",
  description: "The department's active bank accounts, the default one first, then newest first. IBANs are masked. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, query: ListBankAccountsInput, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(paginated(BankAccountSchema, "BankAccountList"), "A page of bank accounts."), ...errorResponses(404) },
});

export function registerListBankAccounts(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listBankAccounts({ ctx: serviceContext(c), departmentId: c.req.valid("param").id, organizationId: c.get("entityScope"), input: c.req.valid("query") }), 200),
  );
}
