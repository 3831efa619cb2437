import { sql } from "drizzle-orm";
import type { events, webhookDeliveries, webhookDeliveryAttempts } from "../../db/schema";
import { payloadExpiresAt } from "../../domain/event-privacy";
import { objectVersion } from "../../domain/events";
import type { EventDeliveryStatus } from "../../domain/webhook-status";

/**
 * Where an event stands with its receivers: `failed` if any delivery failed, else `pending` if
 * any is still trying (or the event has not been dispatched yet), else `succeeded` if it had
 * deliveries, else `none` (no subscription wanted it). Columns are spelled out with their table:
 * drizzle leaves them bare in the select list of a one-table query, where `id` would be the
 * subquery's own.
 */
const deliveriesOf = (status: string | null) =>
  sql.raw(`EXISTS (SELECT 1 FROM "webhook_deliveries" WHERE "webhook_deliveries"."event_id" = "events"."id"${status ? ` AND "webhook_deliveries"."status" = '${status}'` : ""})`);
export const deliveryStatusSql = sql<EventDeliveryStatus>`(CASE
  WHEN ${deliveriesOf("failed")} THEN 'failed'
  WHEN ${deliveriesOf("pending")} THEN 'pending'
  WHEN ${deliveriesOf(null)} THEN 'succeeded'
  WHEN "events"."enqueued_at" IS NULL THEN 'pending'
  ELSE 'none' END)`;

/** `data` is the payload as written (openEventData), or null once the retention job purged it. */
export function presentEvent(row: Omit<typeof events.$inferSelect, "data"> & { data: Record<string, unknown> | null; delivery_status: EventDeliveryStatus }) {
  return {
    id: row.id,
    object: "event" as const,
    livemode: row.livemode,
    type: row.type,
    organization_id: row.organization_id,
    object_version: row.data ? objectVersion(row.type, row.data) : null,
    data: row.data,
    data_expired: row.data_expired_at !== null,
    data_expires_at: payloadExpiresAt(row.created_at),
    created_at: row.created_at,
    delivery_status: row.delivery_status,
  };
}

export function presentAttempt(a: typeof webhookDeliveryAttempts.$inferSelect) {
  return {
    run: a.run,
    attempt: a.attempt,
    at: a.at,
    url: a.url,
    status_code: a.status_code,
    latency_ms: a.latency_ms,
    outcome: a.outcome,
    error: a.error,
    response_excerpt: a.response_excerpt,
  };
}

export function presentDelivery(
  row: typeof webhookDeliveries.$inferSelect & { url: string },
  attempts: (typeof webhookDeliveryAttempts.$inferSelect)[],
) {
  return {
    id: row.id,
    object: "webhook_delivery" as const,
    livemode: row.livemode,
    event_id: row.event_id,
    subscription_id: row.subscription_id,
    url: row.url,
    status: row.status,
    run: row.run,
    attempt_count: row.attempts,
    next_attempt_at: row.status === "pending" ? row.next_attempt_at : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    completed_at: row.completed_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    attempts: attempts.filter((a) => a.delivery_id === row.id).map(presentAttempt),
  };
}
