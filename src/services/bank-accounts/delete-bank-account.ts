import { and, desc, eq, getTableColumns, ne, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { bankAccounts } from "../../db/schema";
import { Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { auditEntry, publishEvents, type ServiceContext } from "../context";
import { defaultChangeEntries } from "./default-change";
import { bankAccountWhere } from "./get-bank-account";
import { presentBankAccount } from "./present";
import { verificationFields } from "./verification";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

/**
 * Removal is a soft delete: the account stays in the audit trail and in history (later,
 * payments that settled to it), but is no longer listed or usable. If it was the default, the
 * most recent remaining account becomes the default in the same batch: a change of where live
 * money goes, so it is a `bank_account.default_changed` event and an audit entry, and that
 * account must be verified before live links use it (it keeps its own KYC status).
 */
export async function deleteBankAccount({ ctx, departmentId, organizationId, id }: { ctx: ServiceContext; departmentId: string; organizationId?: OrganizationScope; id: string }) {
  if (!isId("bank_account", id)) throw new NotFound("bank_account", id, "ba_id");
  const stillActive = bankAccountWhere(ctx, departmentId, id, organizationId);
  const withVerification = { ...getTableColumns(bankAccounts), ...verificationFields(ctx) };
  // The account and the one that would succeed it as the default, in one round trip.
  const [[before], [next]] = await ctx.db.batch([
    ctx.db.select(withVerification).from(bankAccounts).where(stillActive),
    ctx.db
      .select(withVerification)
      .from(bankAccounts)
      .where(and(scoped(ctx, bankAccounts, ANY_ORGANIZATION), eq(bankAccounts.department_id, departmentId), eq(bankAccounts.status, "active"), ne(bankAccounts.id, id)))
      .orderBy(desc(bankAccounts.created_at), desc(bankAccounts.id))
      .limit(1),
  ]);
  if (!before) throw new NotFound("bank_account", id, "ba_id");
  const after = { ...before, status: "deleted" as const, is_default: false, deleted_at: ctx.now, updated_at: ctx.now, version: before.version + 1 };
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
    ctx.db.update(bankAccounts).set({ status: "deleted", is_default: false, deleted_at: ctx.now, updated_at: ctx.now, version: sql`${bankAccounts.version} + 1` }).where(stillActive),
  ] as const;
  if (!before.is_default) {
    const results = await ctx.db.batch(statements);
    if (changes(results[1]) === 0) throw new Conflict("The bank account was removed by another request.", "concurrent_update");
    return presentBankAccount(after);
  }

  const successor = next ? { ...next, is_default: true, updated_at: ctx.now, version: next.version + 1 } : null;
  const nextStillActive = next ? sql` AND EXISTS (SELECT 1 FROM ${bankAccounts} WHERE ${bankAccountWhere(ctx, departmentId, next.id)})` : sql``;
  // Checked before the batch's updates, in the same transaction: written exactly when this batch
  // removes the default and promotes `next` (or leaves no account at all).
  const change = defaultChangeEntries(
    ctx,
    { organizationId: before.organization_id, departmentId, previousId: id, current: successor ? presentBankAccount(successor) : null, removed: presentBankAccount(after) },
    sql`EXISTS (SELECT 1 FROM ${bankAccounts} WHERE ${stillActive} AND ${bankAccounts.is_default} = 1)${nextStillActive}`,
  );
  const promote = next
    ? [ctx.db.update(bankAccounts).set({ is_default: true, updated_at: ctx.now, version: sql`${bankAccounts.version} + 1` }).where(and(bankAccountWhere(ctx, departmentId, next.id), sql`NOT EXISTS (SELECT 1 FROM ${bankAccounts} WHERE ${scoped(ctx, bankAccounts, ANY_ORGANIZATION)} AND ${bankAccounts.department_id} = ${departmentId} AND ${bankAccounts.status} = 'active' AND ${bankAccounts.is_default} = 1)`))]
    : [];
  const results = await ctx.db.batch([...change.statements, ...statements, ...promote]);
  if (changes(results[3]) === 0) throw new Conflict("The bank account was removed by another request.", "concurrent_update");
  publishEvents(ctx, [change.eventId]);
  return presentBankAccount(after);
}
