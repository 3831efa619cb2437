import { and, eq } from "drizzle-orm";
import { bankAccounts } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentBankAccount } from "./present";

export function bankAccountWhere(ctx: ServiceContext, departmentId: string, id: string) {
  return and(
    eq(bankAccounts.id, id),
    eq(bankAccounts.department_id, departmentId),
    eq(bankAccounts.partner_id, ctx.principal.partnerId),
    eq(bankAccounts.livemode, ctx.principal.livemode),
    eq(bankAccounts.status, "active"),
  );
}

export async function findBankAccount(ctx: ServiceContext, departmentId: string, id: string) {
  if (!isId("bank_account", id)) throw new NotFound("bank_account", id, "ba_id");
  const [row] = await ctx.db.select().from(bankAccounts).where(bankAccountWhere(ctx, departmentId, id));
  if (!row) throw new NotFound("bank_account", id, "ba_id");
  return row;
}

export async function getBankAccount({ ctx, departmentId, id }: { ctx: ServiceContext; departmentId: string; id: string }) {
  return presentBankAccount(await findBankAccount(ctx, departmentId, id));
}
