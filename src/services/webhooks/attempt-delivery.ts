import { and, eq, lte, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from "../../db/schema";
import { webhookBody } from "../../domain/events";
import { DISABLE_AFTER_FAILING_MS, nextStep } from "../../domain/webhook-retry";
import { signatureHeaders } from "../../domain/webhook-signature";
import { checkWebhookUrl } from "../../domain/webhook-url";
import { newId } from "../../lib/ids";
import { auditEntry, systemContext } from "../context";
import type { JobContext } from "./job";
import { signingSecrets } from "./secrets";
import { postWebhook, type SendResult } from "./send";

export const USER_AGENT = "Paiements-Webhooks/1.0";

/** What the queue should do with the message once the attempt is recorded. */
export type Decision = { kind: "ack"; reason: string } | { kind: "retry"; delaySeconds: number };

/** A message more than this early for its attempt is a duplicate of the one that is on time. */
const EARLY_TOLERANCE_MS = 5_000;
/** While an attempt runs, the sweep leaves its delivery alone (an attempt lasts at most 10 s). */
const ATTEMPT_LEASE_MS = 60_000;

const ack = (reason: string): Decision => ({ kind: "ack", reason });

/**
 * The `{ delivery_id, run }` message: the next attempt of one delivery.
 * 1. Stale messages are dropped: another run (a redelivery) or a delivery already settled.
 * 2. The attempt is claimed with a guarded update on the attempt counter, so two copies of a
 *    message never both send; a copy arriving before the attempt is due is dropped too.
 * 3. POST the signed body, record the attempt and the delivery's new state in one batch, with
 *    the subscription's health (failing for 3 days in a row: disabled, audited).
 * 4. Retry with the backoff of domain/webhook-retry, or stop: succeeded, refused (4xx), or
 *    failed after the fifth attempt.
 */
export async function attemptDelivery({ ctx, input }: { ctx: JobContext; input: { deliveryId: string; run: number } }): Promise<Decision> {
  const { db } = ctx;
  const [row] = await db
    .select({ delivery: webhookDeliveries, subscription: webhookSubscriptions, event: events })
    .from(webhookDeliveries)
    .leftJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscription_id))
    .leftJoin(events, eq(events.id, webhookDeliveries.event_id))
    .where(eq(webhookDeliveries.id, input.deliveryId));
  if (!row) return ack("unknown delivery");
  const { delivery, subscription, event } = row;
  if (delivery.run !== input.run || delivery.status !== "pending") return ack("stale message");
  const started = ctx.now();
  const thisRun = and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.run, delivery.run), eq(webhookDeliveries.status, "pending"));

  // Nothing to send any more: the delivery ends failed, saying why (and the relay stops finding it).
  if (!subscription || !event || subscription.deleted_at !== null || subscription.status !== "active") {
    const why = !event ? "event no longer exists" : !subscription || subscription.deleted_at !== null ? "subscription deleted" : "subscription disabled";
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", last_error: why, next_attempt_at: null, completed_at: started.toISOString(), updated_at: started.toISOString() })
      .where(thisRun);
    return ack(why);
  }
  if (delivery.next_attempt_at !== null && Date.parse(delivery.next_attempt_at) - started.getTime() > EARLY_TOLERANCE_MS) {
    return ack("duplicate message: attempt not due yet");
  }

  const attempt = delivery.attempts + 1;
  const claim = await db
    .update(webhookDeliveries)
    .set({ attempts: attempt, next_attempt_at: new Date(started.getTime() + ATTEMPT_LEASE_MS).toISOString(), updated_at: started.toISOString() })
    .where(and(thisRun, eq(webhookDeliveries.attempts, delivery.attempts)));
  if (changes(claim) === 0) return ack("attempt claimed by another message");

  const sent = await send(ctx, subscription, event, attempt, started);
  const step = nextStep(attempt, sent.result);
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
      .where(and(thisRun, eq(webhookDeliveries.attempts, attempt))),
    ...healthStatements(ctx, subscription, step.status === "succeeded", finished),
  ]);
  // A redelivery started while this attempt ran: the new run carries on, this one stops here.
  if (changes(recorded) === 0) return ack("superseded by a redelivery");
  return step.status === "pending" ? { kind: "retry", delaySeconds: step.delaySeconds } : ack(step.status);
}

async function send(
  ctx: JobContext,
  subscription: typeof webhookSubscriptions.$inferSelect,
  event: typeof events.$inferSelect,
  attempt: number,
  at: Date,
): Promise<SendResult> {
  // Checked again at send time: rules may have tightened since the subscription was made.
  const check = checkWebhookUrl(subscription.url, subscription.livemode);
  if (!check.ok) return { result: { kind: "refused" }, statusCode: null, latencyMs: 0, error: `URL refused, not sent: ${check.message}`, excerpt: null };
  const body = webhookBody(event);
  const secrets = await signingSecrets(ctx.env.ENCRYPTION_KEY, subscription, at.toISOString());
  return postWebhook(check.url, body, {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "X-Webhook-Id": event.id,
    "X-Webhook-Timestamp": String(Math.floor(at.getTime() / 1000)),
    "X-Webhook-Attempt": String(attempt),
    ...(await signatureHeaders(secrets, body)),
  });
}

/**
 * A success clears the subscription's failure record; a failure starts it (if not started), and
 * when it started 3 days ago or more with no success since, disables the subscription with an
 * audit entry saying why, in the same batch.
 */
function healthStatements(ctx: JobContext, subscription: typeof webhookSubscriptions.$inferSelect, succeeded: boolean, at: Date) {
  const { db } = ctx;
  const now = at.toISOString();
  const sub = eq(webhookSubscriptions.id, subscription.id);
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
