import { and, eq, isNull } from "drizzle-orm";
import { dunningRules } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { scoped } from "../tenancy";

/** A live (not deleted) rule of the organization: a deleted rule is gone for the API. */
export function dunningRuleWhere(ctx: ServiceContext, organizationId: string, id: string) {
  return and(eq(dunningRules.id, id), scoped(ctx, dunningRules, organizationId), isNull(dunningRules.deleted_at));
}

export async function findDunningRule(ctx: ServiceContext, organizationId: string, id: string) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  if (!isId("dunning_rule", id)) throw new NotFound("dunning_rule", id, "rule_id");
  const [row] = await ctx.db.select().from(dunningRules).where(dunningRuleWhere(ctx, organizationId, id));
  if (!row) throw new NotFound("dunning_rule", id, "rule_id");
  return row;
}
