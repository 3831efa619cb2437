import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { dunningRules } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { auditEntry, type ServiceContext } from "../context";
import { dunningRuleWhere, findDunningRule } from "./find-dunning-rule";
import { presentDunningRule } from "./present";

/**
 * Soft delete: the row stays (the reminders it sent name it in `dunning_sends`), but the rule no
 * longer applies nor shows.
 */
export async function deleteDunningRule({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  const before = await findDunningRule(ctx, organizationId, id);
  const where = and(dunningRuleWhere(ctx, organizationId, id), eq(dunningRules.updated_at, before.updated_at));
  const [, deleted] = await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId, resourceType: "dunning_rule", resourceId: id, action: "deleted", before: presentDunningRule(before), after: null },
      sql`EXISTS (SELECT 1 FROM ${dunningRules} WHERE ${where})`,
    ),
    ctx.db.update(dunningRules).set({ deleted_at: ctx.now, updated_at: ctx.now }).where(where),
  ]);
  // Lost a race: deleted (404) or changed (a retry finds it again) by another request.
  if (changes(deleted) === 0) throw new NotFound("dunning_rule", id, "rule_id");
  return { id, object: "dunning_rule" as const, deleted: true as const };
}
