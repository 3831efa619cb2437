import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { webhookDeliveries } from "../../db/schema";
import { newId } from "../../lib/ids";
import { owner } from "../tenancy";

/**
 * The delivery of an event to one subscription, due now, with no attempt made yet: written by
 * the fan-out and by a redelivery to a subscription the event never reached. A delivery already
 * there for the pair (event, subscription) is kept as it is.
 */
export function newDelivery(db: Db, tenant: { partner_id: string; livemode: boolean }, input: { eventId: string; subscriptionId: string; at: string }) {
  return db
    .insert(webhookDeliveries)
    .values({
      id: newId("webhook_delivery"),
      ...owner(tenant),
      event_id: input.eventId,
      subscription_id: input.subscriptionId,
      status: "pending",
      run: 1,
      attempts: 0,
      next_attempt_at: input.at,
      last_status_code: null,
      last_error: null,
      completed_at: null,
      created_at: input.at,
      updated_at: input.at,
    })
    .onConflictDoNothing();
}

/**
 * What a restarted delivery is set to: a fresh run of attempts, the first due now. One
 * definition for the two ways a delivery is sent again (POST /v1/events/{id}/redeliver and
 * POST /v1/webhook_subscriptions/{id}/recover), so the queue's stale-message rule (a message of
 * an older run is dropped) holds for both. The run is bumped in SQL, from the row's own value.
 */
export function restartedDelivery(at: string) {
  return { status: "pending" as const, run: sql`${webhookDeliveries.run} + 1`, attempts: 0, next_attempt_at: at, completed_at: null, updated_at: at };
}
