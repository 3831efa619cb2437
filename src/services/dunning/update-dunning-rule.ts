import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { dunningRules } from "../../db/schema";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import { assertChannelAvailable, DunningChannel, DunningEnabled, DunningOffsetDays, DunningTemplate } from "./create-dunning-rule";
import { dunningRuleWhere, findDunningRule } from "./find-dunning-rule";
import { presentDunningRule, type DunningRuleRow } from "./present";

export const UpdateDunningRuleInput = z
  .strictObject({ offset_days: DunningOffsetDays.optional(), channel: DunningChannel.optional(), template: DunningTemplate.optional(), enabled: DunningEnabled.optional() })
  .openapi("DunningRuleUpdate", { example: { enabled: false } });

/**
 * Only the fields sent change. A reminder already sent under this rule is not sent again, even if
 * its offset moves (the (invoice, rule) pair is what is remembered).
 */
export async function updateDunningRule({ ctx, organizationId, id, input }: { ctx: ServiceContext; organizationId: string; id: string; input: z.infer<typeof UpdateDunningRuleInput> }) {
  const before = await findDunningRule(ctx, organizationId, id);
  if (input.channel !== undefined) assertChannelAvailable(ctx, input.channel);
  const after: DunningRuleRow = {
    ...before,
    ...(input.offset_days !== undefined ? { offset_days: input.offset_days } : {}),
    ...(input.channel !== undefined ? { channel: input.channel } : {}),
    ...(input.template !== undefined ? { template: input.template } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    updated_at: ctx.now,
  };
  const presentedBefore = presentDunningRule(before);
  const presentedAfter = presentDunningRule(after);
  const changed = diff(presentedBefore, { ...presentedAfter, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0) return presentedBefore;

  const unchangedSince = and(dunningRuleWhere(ctx, organizationId, id), eq(dunningRules.updated_at, before.updated_at));
  const [, updated] = await ctx.db.batch([
    auditEntry(ctx, { organizationId, resourceType: "dunning_rule", resourceId: id, action: "updated", ...changed }, sql`EXISTS (SELECT 1 FROM ${dunningRules} WHERE ${unchangedSince})`),
    ctx.db
      .update(dunningRules)
      .set({ offset_days: after.offset_days, channel: after.channel, template: after.template, enabled: after.enabled, updated_at: after.updated_at })
      .where(unchangedSince),
  ]);
  if (changes(updated) === 0) throw new Conflict("The dunning rule was modified by another request; read it again and retry.", "concurrent_update");
  return presentedAfter;
}
