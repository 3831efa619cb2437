import { and, desc, eq, ne, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { bankAccounts } from "../../db/schema";
import { Conflict } from "../../lib/errors";
import { auditEntry, type ServiceContext } from "../context";
import { bankAccountWhere, findBankAccount } from "./get-bank-account";
import { presentBankAccount } from "./present";

/**
 * Removal is a soft delete: the account stays in the audit trail and in history (later,
 * payments that settled to it), but is no longer listed or usable. If it was the default, the
 * most recent remaining account becomes the default in the same batch.
 */
export async function deleteBankAccount({ ctx, departmentId, id }: { ctx: ServiceContext; departmentId: string; id: string }) {
  const before = await findBankAccount(ctx, departmentId, id);
  const after = { ...before, status: "deleted" as const, is_default: false, deleted_at: ctx.now, updated_at: ctx.now };
  const stillActive = bankAccountWhere(ctx, departmentId, id);
  const successor = ctx.db
    .select({ id: bankAccounts.id })
    .from(bankAccounts)
    .where(and(eq(bankAccounts.department_id, departmentId), eq(bankAccounts.status, "active"), ne(bankAccounts.id, id)))
    .orderBy(desc(bankAccounts.created_at), desc(bankAccounts.id))
    .limit(1);
  const statements = [
    auditEntry(
      ctx,
      {
        organizationId: before.organization_id,
        resourceType: "bank_account",
        resourceId: id,
        action: "deleted",
        before: { status: "active", is_default: before.is_default },
        after: { status: "deleted", is_default: false },
      },
      sql`EXISTS (SELECT 1 FROM ${bankAccounts} WHERE ${stillActive})`,
    ),
    ctx.db.update(bankAccounts).set({ status: "deleted", is_default: false, deleted_at: ctx.now, updated_at: ctx.now }).where(stillActive),
  ] as const;
  const results = before.is_default
    ? await ctx.db.batch([
        ...statements,
        ctx.db.update(bankAccounts).set({ is_default: true, updated_at: ctx.now }).where(eq(bankAccounts.id, sql`(${successor})`)),
      ])
    : await ctx.db.batch(statements);
  if (changes(results[1]) === 0) throw new Conflict("The bank account was removed by another request.", "concurrent_update");
  return presentBankAccount(after);
}
