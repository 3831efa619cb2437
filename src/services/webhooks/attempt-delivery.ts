import { and, eq, isNull, lte, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from "../../db/schema";
import { EVENT_PAYLOAD_RETENTION_DAYS } from "../../domain/event-privacy";
import { webhookBody } from "../../domain/events";
import { ATTEMPT_LEASE_SECONDS, DISABLE_AFTER_FAILING_MS, dueAttempt, earlyToleranceMs, nextStep } from "../../domain/webhook-retry";
import { newId } from "../../lib/ids";
import { auditEntry, systemContext } from "../context";
import { openEventData } from "../events/payload";
import type { JobContext } from "./job";
import type { SendResult } from "./send";
import { sendSigned } from "./send-signed";
import { log } from "../../lib/log";
import { sameTenant, scoped } from "../tenancy";

/**
 * What became of the message once handled: always acknowledged. The next attempt, if any, has a
 * message of its own; only a crash (an exception) has the queue retry this one.
 */
export type Decision = { kind: "ack"; reason: string };

const ATTEMPT_LEASE_MS = ATTEMPT_LEASE_SECONDS * 1000;

const ack = (reason: string): Decision => ({ kind: "ack", reason });

/**
 * The `{ delivery_id, run, attempt }` message: one attempt of one delivery.
 * 1. Stale messages are dropped: another run (a redelivery), a delivery already settled, or an
 *    attempt already made (a message delivered twice).
 * 2. The attempt is claimed with a guarded update on the attempt counter and its lease, so two
 *    copies of a message never both send; a copy arriving before the attempt is due is dropped.
 *    An attempt claimed but never recorded (the consumer died during it) is made again, under
 *    the same number, once its lease has lapsed.
 * 3. POST the signed body, record the attempt and the delivery's new state in one batch, with
 *    the subscription's health (failing for 3 days in a row: disabled, audited).
 * 4. Retryable and attempts left: the row says when the next attempt is due, and a new message
 *    is sent with the schedule's delay (domain/webhook-retry). This message is acknowledged: the
 *    queue's own retries stay for crashes. If that send is lost, the delivery relay cron finds the
 *    delivery overdue and sends it. Otherwise stop: succeeded, refused (4xx), or failed after
 *    the fifth attempt.
 */
/** Join condition: the record of a delivery's last claimed attempt (absent if the consumer died during it). */
export const lastClaimedAttempt = and(
  eq(webhookDeliveryAttempts.delivery_id, webhookDeliveries.id),
  eq(webhookDeliveryAttempts.run, webhookDeliveries.run),
  eq(webhookDeliveryAttempts.attempt, webhookDeliveries.attempts),
)!;

export async function attemptDelivery({ ctx, input }: { ctx: JobContext; input: { deliveryId: string; run: number; attempt?: number | undefined } }): Promise<Decision> {
  const { db } = ctx;
  // tenancy-exempt: a queue message names its delivery by id; the joined rows must share its tenant.
  const [row] = await db
    .select({ delivery: webhookDeliveries, subscription: webhookSubscriptions, event: events, recordedAttempt: webhookDeliveryAttempts.id })
    .from(webhookDeliveries)
    .leftJoin(webhookSubscriptions, and(eq(webhookSubscriptions.id, webhookDeliveries.subscription_id), sameTenant(webhookSubscriptions, webhookDeliveries)))
    .leftJoin(events, and(eq(events.id, webhookDeliveries.event_id), sameTenant(events, webhookDeliveries)))
    .leftJoin(webhookDeliveryAttempts, lastClaimedAttempt)
    .where(eq(webhookDeliveries.id, input.deliveryId));
  if (!row) return ack("unknown delivery");
  const { delivery, subscription, event } = row;
  if (delivery.run !== input.run || delivery.status !== "pending") return ack("stale message");
  const due = dueAttempt(delivery.attempts, row.recordedAttempt !== null);
  const attempt = input.attempt ?? due;
  if (attempt < due) return ack("duplicate message: attempt already made");
  if (attempt > due) return ack("message ahead of its delivery");
  const started = ctx.now();
  const thisRun = and(eq(webhookDeliveries.id, delivery.id), scoped(delivery, webhookDeliveries), eq(webhookDeliveries.run, delivery.run), eq(webhookDeliveries.status, "pending"));

  // Nothing to send any more: the delivery ends failed, saying why (and the relay stops finding it).
  if (!subscription || !event || event.data_expired_at !== null || subscription.deleted_at !== null || subscription.status !== "active") {
    const why = !event
      ? "event no longer exists"
      : event.data_expired_at !== null
        ? `event payload expired (kept ${EVENT_PAYLOAD_RETENTION_DAYS} days): nothing to send`
        : !subscription || subscription.deleted_at !== null ? "subscription deleted" : "subscription disabled";
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", last_error: why, next_attempt_at: null, completed_at: started.toISOString(), updated_at: started.toISOString() })
      .where(thisRun);
    return ack(why);
  }
  // Not due: a copy early for its attempt (beyond the schedule's tolerance, domain/webhook-retry.ts),
  // or an attempt another copy is making (its lease).
  if (delivery.next_attempt_at !== null && Date.parse(delivery.next_attempt_at) - started.getTime() > earlyToleranceMs(delivery.livemode)) {
    return ack(attempt === delivery.attempts ? "attempt in progress elsewhere" : "duplicate message: attempt not due yet");
  }

  const lease = new Date(started.getTime() + ATTEMPT_LEASE_MS).toISOString();
  const asRead = delivery.next_attempt_at === null ? isNull(webhookDeliveries.next_attempt_at) : eq(webhookDeliveries.next_attempt_at, delivery.next_attempt_at);
  const claim = await db
    .update(webhookDeliveries)
    .set({ attempts: attempt, next_attempt_at: lease, updated_at: started.toISOString() })
    .where(and(thisRun, eq(webhookDeliveries.attempts, delivery.attempts), asRead));
  if (changes(claim) === 0) return ack("attempt claimed by another message");

  const sent = await send(ctx, subscription, event, attempt, started);
  // Test mode retries on its accelerated schedule (+2 s … +20 s), so a partner's CI can wait for it.
  const step = nextStep(attempt, sent.result, Math.random, delivery.livemode);
  const finished = ctx.now();
  const at = finished.toISOString();
  const outcome = step.status === "pending" ? "retrying" : step.status;
  const nextAttemptAt = step.status === "pending" ? new Date(finished.getTime() + step.delaySeconds * 1000).toISOString() : null;

  const [, recorded] = await db.batch([
    db
      .insert(webhookDeliveryAttempts)
      .values({
        id: newId("webhook_attempt"),
        delivery_id: delivery.id,
        run: delivery.run,
        attempt,
        at: started.toISOString(),
        url: subscription.url,
        status_code: sent.statusCode,
        latency_ms: sent.latencyMs,
        outcome,
        error: sent.error,
        response_excerpt: sent.excerpt,
      })
      .onConflictDoNothing(),
    db
      .update(webhookDeliveries)
      .set({
        status: step.status,
        last_status_code: sent.statusCode,
        last_error: sent.error,
        next_attempt_at: nextAttemptAt,
        completed_at: step.status === "pending" ? null : at,
        updated_at: at,
      })
      // Still our claim: a redelivery, or a copy that found the lease lapsed, carries on instead.
      .where(and(thisRun, eq(webhookDeliveries.attempts, attempt), eq(webhookDeliveries.next_attempt_at, lease))),
    ...healthStatements(ctx, subscription, step.status === "succeeded", finished),
  ]);
  if (changes(recorded) === 0) return ack("superseded by a redelivery");
  if (step.status !== "pending") return ack(step.status);

  const next = { delivery_id: delivery.id, run: delivery.run, attempt: attempt + 1 };
  const scheduled = await ctx.env.WEBHOOKS.send(next, { delaySeconds: step.delaySeconds }).then(
    () => true,
    (error: unknown) => {
      // Nothing is lost: the row says when the attempt is due, and the relay cron sends it once overdue.
      log.warn("next webhook attempt left to the delivery relay", { queue_message: next, error });
      return false;
    },
  );
  return ack(scheduled ? `attempt ${attempt + 1} scheduled` : `attempt ${attempt + 1} left to the relay`);
}

async function send(
  ctx: JobContext,
  subscription: typeof webhookSubscriptions.$inferSelect,
  event: typeof events.$inferSelect,
  attempt: number,
  at: Date,
): Promise<SendResult> {
  // The payload as written, personal data unsealed: the receiver gets exactly what it always did.
  const data = await openEventData(ctx.env.ENCRYPTION_KEY, event);
  if (data === null) return { result: { kind: "refused" }, statusCode: null, latencyMs: 0, error: "event payload expired, not sent", excerpt: null };
  return sendSigned(ctx.env, subscription, { messageId: event.id, body: webhookBody({ ...event, data }), attempt, at });
}

/**
 * A success clears the subscription's failure record; a failure starts it (if not started), and
 * when it started 3 days ago or more with no success since, disables the subscription with an
 * audit entry saying why, in the same batch.
 */
function healthStatements(ctx: JobContext, subscription: typeof webhookSubscriptions.$inferSelect, succeeded: boolean, at: Date) {
  const { db } = ctx;
  const now = at.toISOString();
  const sub = and(eq(webhookSubscriptions.id, subscription.id), scoped(subscription, webhookSubscriptions))!;
  if (succeeded) {
    return [db.update(webhookSubscriptions).set({ failing_since: null }).where(and(sub, sql`${webhookSubscriptions.failing_since} IS NOT NULL`))];
  }
  const cutoff = new Date(at.getTime() - DISABLE_AFTER_FAILING_MS).toISOString();
  const failingTooLong = and(sub, eq(webhookSubscriptions.status, "active"), sql`${webhookSubscriptions.deleted_at} IS NULL`, lte(webhookSubscriptions.failing_since, cutoff));
  const system = systemContext(
    { db, env: ctx.env, requestId: `webhook-health-${subscription.id}`, defer: ctx.defer },
    { partnerId: subscription.partner_id, livemode: subscription.livemode },
    "webhook-delivery",
  );
  return [
    db
      .update(webhookSubscriptions)
      .set({ failing_since: sql`coalesce(${webhookSubscriptions.failing_since}, ${now})` as unknown as string })
      .where(sub),
    auditEntry(
      { ...system, now },
      {
        organizationId: null,
        resourceType: "webhook_subscription",
        resourceId: subscription.id,
        action: "disabled",
        before: null,
        after: null,
        changesSql: sql`json_object(
          'before', json_object('status', 'active'),
          'after', json_object('status', 'disabled', 'disabled_reason', 'failing_deliveries', 'failing_since', (SELECT ${webhookSubscriptions.failing_since} FROM ${webhookSubscriptions} WHERE ${sub}),
            'message', 'Every delivery attempt failed for 3 days in a row; fix the endpoint, then set status to active and redeliver the failed events.'))`,
      },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${failingTooLong})`,
    ),
    db
      .update(webhookSubscriptions)
      .set({ status: "disabled", disabled_reason: "failing_deliveries", disabled_at: now, updated_at: now })
      .where(failingTooLong),
  ];
}
