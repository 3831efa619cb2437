import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { webhookSubscriptions } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { auditEntry, type ServiceContext } from "../context";
import { presentSubscription } from "./present";
import { findSubscription, subscriptionWhere } from "./query";

/**
 * Deletes a subscription: no new deliveries, and its pending ones end as failed when they come
 * due. The row stays (deliveries and audit entries point at it) but the API no longer shows it.
 */
export async function deleteWebhookSubscription({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const before = await findSubscription(ctx, id);
  const where = and(subscriptionWhere(ctx, id), eq(webhookSubscriptions.updated_at, before.updated_at));
  const [, deleted] = await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId: null, resourceType: "webhook_subscription", resourceId: id, action: "deleted", before: presentSubscription(before, ctx.now), after: null },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${where})`,
    ),
    ctx.db.update(webhookSubscriptions).set({ deleted_at: ctx.now, updated_at: ctx.now }).where(where),
  ]);
  // Lost a race: deleted (404) or changed (retry finds it again) by another request.
  if (changes(deleted) === 0) throw new NotFound("webhook_subscription", id, "id");
  return { id, object: "webhook_subscription" as const, deleted: true as const };
}
