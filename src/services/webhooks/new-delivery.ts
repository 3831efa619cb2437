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
