import { webhookBody } from "../../domain/events";
import { classifyStatus } from "../../domain/webhook-retry";
import type { WebhookTestOutcome } from "../../domain/webhook-status";
import { newId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { findSubscription } from "./query";
import { sendSigned } from "./send-signed";

/** The type of the test event: not one of EVENT_TYPES, since nothing happened and no subscription subscribes to it. */
export const PING_EVENT_TYPE = "ping";

/**
 * Sends a signed `ping` to the subscription's endpoint now, once, and answers the attempt. The
 * ping is not an event row nor a delivery: nothing happened in the partner's data, so it must
 * not appear in GET /v1/events, fan out to other subscriptions, be retried, relayed or counted in
 * the subscription's health; its one attempt is this response, and the audit entry
 * (`test_sent`, with the outcome) is its trace. Its body is the usual envelope (type `ping`,
 * `data.ping.version` 1, so `object_version` is 1 like any object's first version) and it is
 * signed exactly like a delivery (X-Webhook-Signature and the Standard Webhooks headers, both
 * secrets during a rotation), so it tests the receiver's verification too. A disabled
 * subscription can be tested: that is how its endpoint is checked before it is re-enabled.
 */
export async function testWebhookSubscription({ ctx, id }: { ctx: ServiceContext; id: string }) {
  const subscription = await findSubscription(ctx, id);
  const eventId = newId("event");
  const at = new Date(ctx.now);
  const body = webhookBody({
    id: eventId,
    type: PING_EVENT_TYPE,
    livemode: subscription.livemode,
    organization_id: null,
    created_at: ctx.now,
    data: { ping: { webhook_subscription_id: subscription.id, version: 1 } },
  });
  // The ping leaves the platform before anything is written: its Idempotency-Key is claimed (and
  // the partner gate's answer awaited) first, so a duplicate or a refused caller never sends one.
  await ctx.beforeEffect?.();
  const sent = await sendSigned(ctx.env, subscription, { messageId: eventId, body, attempt: 1, at });
  const outcome: WebhookTestOutcome = sent.result.kind === "response" && classifyStatus(sent.result.status) === "succeeded" ? "succeeded" : "failed";
  await auditEntry(ctx, {
    organizationId: null,
    resourceType: "webhook_subscription",
    resourceId: subscription.id,
    action: "test_sent",
    before: null,
    after: { event_id: eventId, url: subscription.url, status_code: sent.statusCode, outcome },
  });
  return {
    object: "webhook_test" as const,
    subscription_id: subscription.id,
    event_id: eventId,
    event_type: PING_EVENT_TYPE,
    url: subscription.url,
    sent_at: ctx.now,
    status_code: sent.statusCode,
    latency_ms: sent.latencyMs,
    outcome,
    error: sent.error,
    response_excerpt: sent.excerpt,
  };
}
