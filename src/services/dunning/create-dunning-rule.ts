import { z } from "@hono/zod-openapi";
import { changes, insertWhere } from "../../db/guarded";
import { dunningRules } from "../../db/schema";
import { DUNNING_CHANNELS, DUNNING_TEMPLATES, OFFSET_DAYS } from "../../domain/dunning";
import { BusinessRule, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { smsProvider } from "../../providers/sms";
import { auditEntry, type ServiceContext } from "../context";
import { owner, ownsOrganization } from "../tenancy";
import { presentDunningRule, type DunningRuleRow } from "./present";

export const DunningOffsetDays = z
  .number()
  .int()
  .min(OFFSET_DAYS.min)
  .max(OFFSET_DAYS.max)
  .openapi({ description: `Days relative to the invoice's due date (Europe/Paris): negative before, 0 on the day, positive after; ${OFFSET_DAYS.min} to ${OFFSET_DAYS.max}.`, example: -3 });
export const DunningChannel = z.enum(DUNNING_CHANNELS).openapi({ description: "`email` goes to the payer's email, `sms` to the payer's phone.", example: "email" });
export const DunningTemplate = z.enum(DUNNING_TEMPLATES).openapi({ description: "The message sent.", example: "reminder_before_due" });
export const DunningEnabled = z.boolean().openapi({ description: "A disabled rule sends nothing (and does not count as the last rule).", example: true });

export const CreateDunningRuleInput = z
  .strictObject({ offset_days: DunningOffsetDays, channel: DunningChannel, template: DunningTemplate, enabled: DunningEnabled.optional() })
  .openapi("DunningRuleCreate", { example: { offset_days: -3, channel: "email", template: "reminder_before_due" } });

/** An SMS rule that could never send is refused when it is written, not skipped invoice by invoice later. */
export function assertChannelAvailable(ctx: ServiceContext, channel: z.infer<typeof DunningChannel>) {
  if (channel === "sms" && !smsProvider(ctx.env, ctx.principal.livemode)) {
    throw new BusinessRule("No SMS provider is configured for live mode: use an email rule, or ask the platform to enable SMS.", "sms_not_configured", "channel");
  }
}

/** One batch: the rule and its audit entry, only if the organization is the caller's. */
export async function createDunningRule({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreateDunningRuleInput> }) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  assertChannelAvailable(ctx, input.channel);
  const row: DunningRuleRow = {
    id: newId("dunning_rule"),
    ...owner(ctx),
    organization_id: organizationId,
    offset_days: input.offset_days,
    channel: input.channel,
    template: input.template,
    enabled: input.enabled ?? true,
    deleted_at: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentDunningRule(row);
  const guard = ownsOrganization(ctx, organizationId);
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, dunningRules, row, guard),
    auditEntry(ctx, { organizationId, resourceType: "dunning_rule", resourceId: row.id, action: "created", before: null, after: presented }, guard),
  ]);
  if (changes(inserted) === 0) throw new NotFound("organization", organizationId, "id");
  return presented;
}
