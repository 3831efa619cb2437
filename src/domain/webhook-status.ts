/**
 * A webhook subscription receives events while `active`; it is `disabled` on request or after its
 * deliveries failed for days (`disabled_reason`), and can be enabled again.
 */
export const WEBHOOK_SUBSCRIPTION_STATUSES = ["active", "disabled"] as const;
export type WebhookSubscriptionStatus = (typeof WEBHOOK_SUBSCRIPTION_STATUSES)[number];

export const SUBSCRIPTION_DISABLED_REASONS = ["requested", "failing_deliveries"] as const;
export type SubscriptionDisabledReason = (typeof SUBSCRIPTION_DISABLED_REASONS)[number];

/** One event to one subscription: `pending` while attempts remain, then `succeeded` or `failed` (a redelivery makes it pending again). */
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One attempt of a delivery: `retrying` when the receiver failed and another attempt is scheduled. */
export const DELIVERY_ATTEMPT_OUTCOMES = ["succeeded", "retrying", "failed"] as const;
export type DeliveryAttemptOutcome = (typeof DELIVERY_ATTEMPT_OUTCOMES)[number];

/** Where an event stands with all its receivers: its deliveries' statuses, or `none` when no subscription wanted it. */
export const EVENT_DELIVERY_STATUSES = [...WEBHOOK_DELIVERY_STATUSES, "none"] as const;
export type EventDeliveryStatus = (typeof EVENT_DELIVERY_STATUSES)[number];

/** A test ping's one attempt (POST /v1/webhook_subscriptions/{id}/test): never retried, so no `retrying`. */
export const WEBHOOK_TEST_OUTCOMES = ["succeeded", "failed"] as const;
export type WebhookTestOutcome = (typeof WEBHOOK_TEST_OUTCOMES)[number];
