import { z } from "@hono/zod-openapi";
import { and, asc, eq, getTableColumns, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from "../../db/schema";
import { EVENT_PAYLOAD_RETENTION_DAYS } from "../../domain/event-privacy";
import { subscriptionReceives } from "../../domain/events";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { sendInChunks } from "../../queues/publish";
import { newDelivery, restartedDelivery } from "../webhooks/new-delivery";
import { eventWhere } from "./query";
import { presentDelivery } from "./present";
import { log } from "../../lib/log";
import { owner, scoped } from "../tenancy";

type BatchItem = Parameters<Db["batch"]>[0][number];

export const RedeliverEventInput = z
  .strictObject({
    subscription_id: z.string().max(100).optional().openapi({
      description: "Only this subscription, whatever the state of its delivery (resends a succeeded one too). Default: every active subscription whose delivery did not succeed.",
      example: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
    }),
  })
  .openapi("RedeliverEvent", { example: { subscription_id: "wh-sub-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" } });

/**
 * Sends an event again, each target with a fresh run of 5 attempts starting now:
 * - by default, to every active subscription that receives it (and existed when it happened),
 *   except those whose delivery already succeeded: a failed delivery is repaired, a pending one
 *   is tried now instead of at its next backoff step, a missing one is created;
 * - with `subscription_id`, to that subscription only, whatever its delivery's state (an
 *   explicit resend, e.g. a receiver that lost the event).
 * The change and its audit entry are one batch; the messages are sent after it commits (if that
 * send is lost, the delivery relay cron sends them within minutes).
 */
export async function redeliverEvent({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof RedeliverEventInput> }) {
  if (!isId("event", id)) throw new NotFound("event", id, "id");
  const [[event], subscriptions, existing] = await ctx.db.batch([
    ctx.db.select().from(events).where(eventWhere(ctx, id)),
    ctx.db
      .select()
      .from(webhookSubscriptions)
      .where(and(scoped(ctx, webhookSubscriptions), isNull(webhookSubscriptions.deleted_at))),
    ctx.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.event_id, id), scoped(ctx, webhookDeliveries))),
  ]);
  if (!event) throw new NotFound("event", id, "id");
  if (event.data_expired_at !== null) {
    throw new Conflict(`The event's payload has expired (payloads are kept ${EVENT_PAYLOAD_RETENTION_DAYS} days): there is nothing left to send.`, "event_data_expired");
  }
  const deliveryOf = new Map(existing.map((d) => [d.subscription_id, d]));

  let targets: typeof subscriptions;
  if (input.subscription_id !== undefined) {
    const sub = subscriptions.find((s) => s.id === input.subscription_id);
    if (!sub) throw new NotFound("webhook_subscription", input.subscription_id, "subscription_id");
    if (sub.status !== "active") throw new Conflict("The subscription is disabled; set its status to active first.", "subscription_disabled", "subscription_id");
    if (!subscriptionReceives(sub, event)) {
      throw new BusinessRule(`The subscription does not receive ${event.type} events${sub.organization_ids ? " of this organization" : ""}.`, "event_not_subscribed", "subscription_id");
    }
    targets = [sub];
  } else {
    targets = subscriptions.filter(
      (s) => s.status === "active" && s.created_at <= event.created_at && subscriptionReceives(s, event) && deliveryOf.get(s.id)?.status !== "succeeded",
    );
    if (targets.length === 0) {
      throw new Conflict(
        "Nothing to redeliver: no active subscription receives this event, or every delivery already succeeded (name a subscription_id to resend a succeeded one).",
        "nothing_to_redeliver",
      );
    }
  }

  const restarts: BatchItem[] = targets.map((s) => {
    const d = deliveryOf.get(s.id);
    if (d) {
      return ctx.db
        .update(webhookDeliveries)
        .set(restartedDelivery(ctx.now))
        .where(and(eq(webhookDeliveries.id, d.id), scoped(ctx, webhookDeliveries), eq(webhookDeliveries.run, d.run)));
    }
    return newDelivery(ctx.db, owner(ctx), { eventId: event.id, subscriptionId: s.id, at: ctx.now });
  });
  const targetIds = targets.map((s) => s.id);
  const ofTargets = and(eq(webhookDeliveries.event_id, event.id), scoped(ctx, webhookDeliveries), inArray(webhookDeliveries.subscription_id, targetIds));
  const statements: BatchItem[] = [
    ...restarts,
    auditEntry(ctx, {
      organizationId: event.organization_id,
      resourceType: "event",
      resourceId: event.id,
      action: "redelivered",
      before: null,
      after: { subscription_ids: targetIds },
    }),
    ctx.db
      .select({ ...getTableColumns(webhookDeliveries), url: webhookSubscriptions.url })
      .from(webhookDeliveries)
      .innerJoin(webhookSubscriptions, and(eq(webhookSubscriptions.id, webhookDeliveries.subscription_id), scoped(ctx, webhookSubscriptions)))
      .where(ofTargets)
      .orderBy(asc(webhookDeliveries.created_at)),
    ctx.db
      .select()
      .from(webhookDeliveryAttempts)
      .where(inArray(webhookDeliveryAttempts.delivery_id, ctx.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(ofTargets)))
      .orderBy(asc(webhookDeliveryAttempts.at), asc(webhookDeliveryAttempts.run), asc(webhookDeliveryAttempts.attempt)),
  ];
  const results = await ctx.db.batch(statements as [BatchItem, ...BatchItem[]]);
  const deliveries = results[results.length - 2] as (typeof webhookDeliveries.$inferSelect & { url: string })[];
  const attempts = results[results.length - 1] as (typeof webhookDeliveryAttempts.$inferSelect)[];
  const queued = deliveries.filter((d) => d.status === "pending");
  ctx.defer(
    sendInChunks(ctx.env.WEBHOOKS, queued.map((d) => ({ delivery_id: d.id, run: d.run, attempt: d.attempts + 1 }))).catch((err) =>
      log.warn("redelivery send deferred to the delivery relay", { request_id: ctx.requestId, event_id: event.id, error: err }),
    ),
  );
  return { object: "redelivery" as const, event_id: event.id, deliveries: deliveries.map((d) => presentDelivery(d, attempts)) };
}

