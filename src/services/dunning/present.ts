import type { dunningRules } from "../../db/schema";

export type DunningRuleRow = typeof dunningRules.$inferSelect;

export function presentDunningRule(row: DunningRuleRow) {
  return {
    id: row.id,
    object: "dunning_rule" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    offset_days: row.offset_days,
    channel: row.channel,
    template: row.template,
    enabled: row.enabled,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
