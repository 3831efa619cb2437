import { and, eq, lte } from "drizzle-orm";
import { events, webhookDeliveries } from "../../db/schema";
import type { JobContext } from "./job";

/**
 * A delivery message that kept failing to be processed (the consumer threw every time, not the
 * receiver answering badly: that is handled in attempt-delivery) ends as a visible failed
 * delivery, which the partner can redeliver. Unless the delivery has moved past that message's
 * attempt (another message carried on): then it is left alone.
 */
export async function failDeadLetteredDelivery({ ctx, input }: { ctx: JobContext; input: { deliveryId: string; run: number; attempt?: number | undefined } }) {
  const now = ctx.now().toISOString();
  // tenancy-exempt: a dead-lettered message of our own queue names its delivery by id.
  await ctx.db
    .update(webhookDeliveries)
    .set({ status: "failed", last_error: "dead-lettered: the delivery could not be processed", next_attempt_at: null, completed_at: now, updated_at: now })
    .where(
      and(
        eq(webhookDeliveries.id, input.deliveryId),
        eq(webhookDeliveries.run, input.run),
        eq(webhookDeliveries.status, "pending"),
        input.attempt === undefined ? undefined : lte(webhookDeliveries.attempts, input.attempt),
      ),
    );
}

/**
 * An event whose fan-out kept failing goes back to the outbox: marked not enqueued, the relay
 * cron sends it again within a minute or two, so it is never silently dropped.
 */
export async function requeueDeadLetteredEvent({ ctx, input }: { ctx: JobContext; input: { eventId: string } }) {
  // tenancy-exempt: a dead-lettered message of our own queue names its event by id.
  await ctx.db.update(events).set({ enqueued_at: null }).where(eq(events.id, input.eventId));
}
