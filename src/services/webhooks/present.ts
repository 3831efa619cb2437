import type { webhookSubscriptions } from "../../db/schema";

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

/**
 * The API shape of a subscription. The signing secret is never part of it: it is shown once,
 * by the create and rotate_secret responses (seed 001: "Conservez le secret précieusement").
 */
export function presentSubscription(row: SubscriptionRow, now: string) {
  const previousActive = row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now;
  return {
    id: row.id,
    object: "webhook_subscription" as const,
    livemode: row.livemode,
    url: row.url,
    events: row.events,
    organization_ids: row.organization_ids,
    description: row.description,
    status: row.status,
    disabled_reason: row.disabled_reason,
    disabled_at: row.disabled_at,
    failing_since: row.failing_since,
    previous_secret_expires_at: previousActive ? row.previous_secret_expires_at : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
