/** An idempotency key: claimed `in_flight` by the request that runs, `completed` with its stored response. */
export const IDEMPOTENCY_KEY_STATUSES = ["in_flight", "completed"] as const;
export type IdempotencyKeyStatus = (typeof IDEMPOTENCY_KEY_STATUSES)[number];
