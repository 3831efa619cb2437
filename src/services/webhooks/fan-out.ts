import { and, eq, isNull, sql } from "drizzle-orm";
import { events, webhookDeliveries, webhookSubscriptions } from "../../db/schema";
import { subscriptionReceives } from "../../domain/events";
import type { Db } from "../../db/client";
import { sendInChunks } from "../../queues/publish";
import type { JobContext } from "./job";
import { log } from "../../lib/log";
import { newDelivery } from "./new-delivery";
import { scoped } from "../tenancy";

type BatchItem = Parameters<Db["batch"]>[0][number];

/**
 * The `{ event_id }` message: one delivery row per active subscription that wants the event
 * (same partner and mode, its type or `*`, its organization if the subscription names some,
 * subscribed when the event happened), then one `{ delivery_id, run, attempt: 1 }` message per delivery, so
 * each endpoint has its own attempts and its own retry clock and a slow one delays no other.
 * Running twice is harmless: deliveries are unique per (event, subscription), and only deliveries
 * never attempted are sent again (an attempt is claimed once, see attempt-delivery).
 */
export async function fanOutEvent({ ctx, input }: { ctx: JobContext; input: { eventId: string } }) {
  const { db } = ctx;
  // tenancy-exempt: the event's own tenant, read in SQL so the subscriptions come in the same round trip.
  const eventTenant = (column: "partner_id" | "livemode") => sql`(SELECT ${sql.identifier(column)} FROM ${events} WHERE ${events.id} = ${input.eventId})`;
  const [[event], subscriptions] = await db.batch([
    // tenancy-exempt: the queue message names the event by id; it carries its own tenant.
    db.select().from(events).where(eq(events.id, input.eventId)),
    // tenancy-exempt: matched in SQL to the event's own tenant (same partner and mode), read in this batch.
    db
      .select()
      .from(webhookSubscriptions)
      .where(
        and(
          sql`${webhookSubscriptions.partner_id} = ${eventTenant("partner_id")}`,
          sql`${webhookSubscriptions.livemode} = ${eventTenant("livemode")}`,
          eq(webhookSubscriptions.status, "active"),
          isNull(webhookSubscriptions.deleted_at),
        ),
      ),
  ]);
  if (!event) {
    log.warn("webhook fan-out: no such event", { event_id: input.eventId });
    return { deliveries: 0 };
  }
  const matching = subscriptions.filter((s) => s.created_at <= event.created_at && subscriptionReceives(s, event));
  if (matching.length === 0) return { deliveries: 0, event };

  const now = ctx.now().toISOString();
  const inserts = matching.map((s) => newDelivery(db, event, { eventId: event.id, subscriptionId: s.id, at: now }));
  const pending = db
    .select({ id: webhookDeliveries.id, run: webhookDeliveries.run })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.event_id, event.id), scoped(event, webhookDeliveries), eq(webhookDeliveries.status, "pending"), eq(webhookDeliveries.attempts, 0)));
  const statements: BatchItem[] = [...inserts, pending];
  const results = await db.batch(statements as [BatchItem, ...BatchItem[]]);
  const due = results[results.length - 1] as Awaited<typeof pending>;
  await sendInChunks(ctx.env.WEBHOOKS, due.map((d) => ({ delivery_id: d.id, run: d.run, attempt: 1 })));
  return { deliveries: due.length, event };
}
