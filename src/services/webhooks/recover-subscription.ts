import { z } from "@hono/zod-openapi";
import { and, asc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { events, webhookDeliveries } from "../../db/schema";
import { EVENT_PAYLOAD_RETENTION_DAYS } from "../../domain/event-privacy";
import { Conflict, ValidationError } from "../../lib/errors";
import { log } from "../../lib/log";
import { sendInChunks } from "../../queues/publish";
import { auditEntry, type ServiceContext } from "../context";
import { ANY_ORGANIZATION, scoped } from "../tenancy";
import { restartedDelivery } from "./new-delivery";
import { findSubscription } from "./query";

export const RecoverWebhookSubscriptionInput = z
  .strictObject({
    since: z.iso.datetime({ offset: true }).openapi({
      description: `Failed deliveries created at or after this instant are sent again. Not in the future, and not more than ${EVENT_PAYLOAD_RETENTION_DAYS} days ago (older events' payloads are purged: nothing left to send).`,
      example: "2026-12-01T00:00:00Z",
    }),
  })
  .openapi("RecoverWebhookSubscription", { example: { since: "2026-12-01T00:00:00Z" } });

/** A client clock a little ahead of ours is not a request about the future. */
const CLOCK_SKEW_MS = 60_000;
/** One recovery restarts at most this many deliveries (the oldest first); call again with a later `since` for the rest. */
export const RECOVER_LIMIT = 1000;

/**
 * Svix's "recover": every failed delivery of this subscription created since `since` starts a
 * fresh run of 5 attempts now (the same restart as POST /v1/events/{id}/redeliver), so an
 * endpoint back from an outage gets what it missed in one call. Deliveries whose event payload
 * has been purged (90 days) are skipped: nothing is left to send. The restart and its audit
 * entry are one batch; the queue messages go after it commits (a lost send is picked up by the
 * delivery relay cron).
 */
export async function recoverWebhookSubscription({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof RecoverWebhookSubscriptionInput> }) {
  const since = Date.parse(input.since);
  const now = Date.parse(ctx.now);
  if (since > now + CLOCK_SKEW_MS) throw new ValidationError("since must not be in the future.", "since", "since_in_future");
  if (since < now - EVENT_PAYLOAD_RETENTION_DAYS * 86_400_000) {
    throw new ValidationError(
      `since must be within the last ${EVENT_PAYLOAD_RETENTION_DAYS} days: older event payloads are purged, so there is nothing left to redeliver.`,
      "since",
      "since_out_of_retention",
    );
  }
  const subscription = await findSubscription(ctx, id);
  if (subscription.status !== "active") throw new Conflict("The subscription is disabled; set its status to active first.", "subscription_disabled");
  const sinceIso = new Date(since).toISOString();

  // The deliveries to restart, oldest first, as a subquery of the update (no id list, which D1's
  // bound-parameter limit would cap); its RETURNING says which ones it restarted.
  const candidates = ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(events, and(eq(events.id, webhookDeliveries.event_id), scoped(ctx, events, ANY_ORGANIZATION), isNull(events.data_expired_at)))
    .where(and(eq(webhookDeliveries.subscription_id, subscription.id), scoped(ctx, webhookDeliveries), eq(webhookDeliveries.status, "failed"), gte(webhookDeliveries.created_at, sinceIso)))
    .orderBy(asc(webhookDeliveries.created_at), asc(webhookDeliveries.id))
    .limit(RECOVER_LIMIT);
  const [queued] = await ctx.db.batch([
    ctx.db
      .update(webhookDeliveries)
      .set(restartedDelivery(ctx.now))
      .where(and(inArray(webhookDeliveries.id, candidates), scoped(ctx, webhookDeliveries), eq(webhookDeliveries.status, "failed")))
      .returning({ id: webhookDeliveries.id, run: webhookDeliveries.run, event_id: webhookDeliveries.event_id }),
    auditEntry(ctx, {
      organizationId: null,
      resourceType: "webhook_subscription",
      resourceId: subscription.id,
      action: "recovered",
      before: null,
      after: null,
      // How many rows the update just before it in this batch restarted: SQLite's changes() is
      // the row count of the last completed INSERT/UPDATE/DELETE on the connection, and a batch
      // runs its statements in order on one (an Idempotency-Key's claim goes in front, not between).
      changesSql: sql`json_object('before', NULL, 'after', json_object('since', ${sinceIso}, 'delivery_count', changes()))`,
    }),
  ]);
  ctx.defer(
    sendInChunks(ctx.env.WEBHOOKS, queued.map((d) => ({ delivery_id: d.id, run: d.run, attempt: 1 }))).catch((err) =>
      log.warn("recovery send deferred to the delivery relay", { request_id: ctx.requestId, subscription_id: subscription.id, error: err }),
    ),
  );
  return {
    object: "webhook_recovery" as const,
    subscription_id: subscription.id,
    since: sinceIso,
    queued_count: queued.length,
    delivery_ids: queued.map((d) => d.id),
    event_ids: queued.map((d) => d.event_id),
    /** The limit was reached: call again with the created_at of the last one recovered, or later. */
    has_more: queued.length >= RECOVER_LIMIT,
  };
}
