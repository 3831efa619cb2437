import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { deleteBankAccount } from "../../services/bank-accounts/delete-bank-account";
import { serviceContext } from "../context";
import { BankAccountParams, BankAccountSchema } from "./schema";

const route = createRoute({
  method: "delete",
  path: "/departments/{id}/bank_accounts/{ba_id}",
  operationId: "deleteBankAccount",
  tags: ["Departments"],
  summary: "Remove a bank account",
  description: "Soft delete: kept for the audit trail, no longer listed. If it was the default, the most recent remaining account becomes the default (emits `bank_account.default_changed` and an audit entry; live payment links need that account verified).",
  middleware: [requireScope("organizations:write"), entityFromHeaderOrObject] as const,
  request: { params: BankAccountParams, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(BankAccountSchema, "The removed bank account (status `deleted`)."), ...errorResponses(404, 409) },
});

export function registerDeleteBankAccount(app: Router) {
  app.openapi(route, async (c) => {
    const { id, ba_id } = c.req.valid("param");
    return c.json(await deleteBankAccount({ ctx: serviceContext(c), departmentId: id, organizationId: c.get("entityScope"), id: ba_id }), 200);
  });
}
