import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { webhookSubscriptions } from "../../db/schema";
import { WEBHOOK_SUBSCRIPTION_STATUSES } from "../../domain/webhook-status";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import {
  acceptableUrl,
  normalizeEvents,
  requirePayloadScopes,
  SubscribedEvents,
  SubscriptionDescription,
  SubscriptionOrganizationIds,
  SubscriptionUrl,
} from "./create-subscription";
import { presentSubscription, type SubscriptionRow } from "./present";
import { checkOrganizations, findSubscription, subscriptionWhere } from "./query";

export const UpdateWebhookSubscriptionInput = z
  .strictObject({
    url: SubscriptionUrl.optional(),
    events: SubscribedEvents.optional(),
    description: SubscriptionDescription.optional(),
    organization_ids: SubscriptionOrganizationIds.optional(),
    status: z
      .enum(WEBHOOK_SUBSCRIPTION_STATUSES)
      .optional()
      .openapi({ description: "`disabled` stops new deliveries; `active` resumes them (and forgets past failures)." }),
  })
  .openapi("WebhookSubscriptionUpdate", {
    example: { events: ["*"], description: "Every event, for the accounting system" },
  });
/**
 * PATCH semantics: fields present replace the stored ones; `organization_ids: null` means every
 * organization again. Re-enabling clears the failure record, so a subscription disabled for
 * failing gets a fresh three days. Guarded on the version read, like every other update.
 */
export async function updateWebhookSubscription({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof UpdateWebhookSubscriptionInput> }) {
  const before = await findSubscription(ctx, id);
  // Pointing a subscription elsewhere, or at other events, is choosing who receives their payloads.
  if (input.url !== undefined || input.events !== undefined) requirePayloadScopes(ctx, input.events ?? before.events);
  const url = input.url !== undefined ? acceptableUrl(ctx, input.url) : before.url;
  const organizationIds =
    input.organization_ids === undefined ? before.organization_ids : input.organization_ids === null ? null : await checkOrganizations(ctx, input.organization_ids);
  const statusChange = input.status !== undefined && input.status !== before.status ? input.status : null;
  const after: SubscriptionRow = {
    ...before,
    url,
    events: input.events !== undefined ? normalizeEvents(input.events) : before.events,
    organization_ids: organizationIds,
    description: input.description !== undefined ? input.description : before.description,
    ...(statusChange === "disabled" ? { status: "disabled" as const, disabled_reason: "requested" as const, disabled_at: ctx.now } : {}),
    ...(statusChange === "active" ? { status: "active" as const, disabled_reason: null, disabled_at: null, failing_since: null } : {}),
    updated_at: ctx.now,
  };
  const presentedBefore = presentSubscription(before, ctx.now);
  const presentedAfter = presentSubscription(after, ctx.now);
  const changed = diff(presentedBefore, { ...presentedAfter, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0) return presentedBefore;

  const unchangedSince = and(subscriptionWhere(ctx, id), eq(webhookSubscriptions.updated_at, before.updated_at));
  const [, updated] = await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId: null, resourceType: "webhook_subscription", resourceId: id, action: statusChange ? (statusChange === "active" ? "enabled" : "disabled") : "updated", ...changed },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${unchangedSince})`,
    ),
    ctx.db
      .update(webhookSubscriptions)
      .set({
        url: after.url,
        events: after.events,
        organization_ids: after.organization_ids,
        description: after.description,
        status: after.status,
        disabled_reason: after.disabled_reason,
        disabled_at: after.disabled_at,
        failing_since: after.failing_since,
        updated_at: after.updated_at,
      })
      .where(unchangedSince),
  ]);
  if (changes(updated) === 0) throw new Conflict("The subscription was modified by another request; read it again and retry.", "concurrent_update");
  return presentedAfter;
}
