import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../lib/fields";
import { DunningChannel, DunningEnabled, DunningOffsetDays, DunningTemplate } from "../../services/dunning/create-dunning-rule";

export const DunningRuleParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  rule_id: z.string().openapi({ param: { name: "rule_id", in: "path" }, example: "dun-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const DunningRuleSchema = z
  .object({
    id: z.string().openapi({ example: "dun-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("dunning_rule"),
    livemode: z.boolean(),
    organization_id: z.string(),
    offset_days: DunningOffsetDays,
    channel: DunningChannel,
    template: DunningTemplate,
    enabled: DunningEnabled,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("DunningRule", {
    description:
      "A reminder sent to the payer of every unpaid invoice of the organization (issued, partially paid or overdue, not paused) `offset_days` after its due date, once per invoice, between 08:00 and 20:00 Europe/Paris.",
  });

export const DunningRuleDeleted = z.object({ id: z.string(), object: z.literal("dunning_rule"), deleted: z.literal(true) }).openapi("DunningRuleDeleted");
