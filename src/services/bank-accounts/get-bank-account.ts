import { and, eq, getTableColumns } from "drizzle-orm";
import { bankAccounts } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentBankAccount } from "./present";
import { verificationFields } from "./verification";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

export function bankAccountWhere(ctx: ServiceContext, departmentId: string, id: string, organizationId: OrganizationScope = ANY_ORGANIZATION) {
  return and(
    eq(bankAccounts.id, id),
    eq(bankAccounts.department_id, departmentId),
    scoped(ctx, bankAccounts, organizationId),
    eq(bankAccounts.status, "active"),
  );
}

export async function findBankAccount(ctx: ServiceContext, departmentId: string, id: string, organizationId?: OrganizationScope) {
  if (!isId("bank_account", id)) throw new NotFound("bank_account", id, "ba_id");
  const [row] = await ctx.db
    .select({ ...getTableColumns(bankAccounts), ...verificationFields(ctx) })
    .from(bankAccounts)
    .where(bankAccountWhere(ctx, departmentId, id, organizationId));
  if (!row) throw new NotFound("bank_account", id, "ba_id");
  return row;
}

export async function getBankAccount({ ctx, departmentId, organizationId, id }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope; id: string }) {
  return presentBankAccount(await findBankAccount(ctx, departmentId, id, organizationId));
}
