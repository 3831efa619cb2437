/**
 * Webhook delivery policy: what counts as delivered, what is worth retrying, and when.
 * Seed 001: "backoff exponentiel (5 tentatives max)"; DESIGN.md §4: at once, then about +30 s,
 * +2 min, +10 min, +1 h, with jitter, then the delivery is failed (and can be redelivered).
 * Test mode waits +2 s, +5 s, +10 s, +20 s instead (TEST_RETRY_DELAYS_SECONDS).
 */

export const MAX_ATTEMPTS = 5;

/** Delay before attempt n+1, after attempt n failed (n = 1…4): live mode, the seed's schedule (about 72 min end to end). */
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3600] as const;

/**
 * Test mode's accelerated schedule: +2 s, +5 s, +10 s, +20 s (same jitter), so a partner's CI sees
 * "500 four times, then 200" end within a minute (about 37 s of waiting, plus the queue's own
 * batching) instead of 72 minutes. Same number of attempts, same rules for what is retried.
 */
export const TEST_RETRY_DELAYS_SECONDS = [2, 5, 10, 20] as const;

/**
 * How early a message may come for its attempt and still make it (a queue's delay is not exact,
 * nor our clock); one earlier than this is a copy of a message that is on time, and is dropped.
 * It must stay below the mode's shortest jittered retry delay (live 27 s, test 2 s), or a copy of
 * attempt n arriving just after it would pass for attempt n+1: test mode's is 1 s for that.
 * test/domain/webhook-retry.test.ts checks the bound against both schedules.
 */
export const EARLY_TOLERANCE_SECONDS = { live: 5, test: 1 } as const;

export function earlyToleranceMs(livemode: boolean): number {
  return (livemode ? EARLY_TOLERANCE_SECONDS.live : EARLY_TOLERANCE_SECONDS.test) * 1000;
}

/** The schedule of a delivery's mode. */
export function retryDelays(livemode: boolean): readonly number[] {
  return livemode ? RETRY_DELAYS_SECONDS : TEST_RETRY_DELAYS_SECONDS;
}

/** ±10 %: deliveries that failed together (an endpoint down) do not all come back together. */
export const JITTER = 0.1;

/** Cloudflare Queues' longest delay (12 h); larger values are refused. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * The queue's own retries are for crashes only (the consumer threw: D1 unreachable …), never for
 * the HTTP schedule above: an attempt that the receiver failed is recorded on the delivery row,
 * its message acknowledged, and a new message sent with the schedule's delay. So each message
 * has its own crash budget, and a crash never costs a delivery one of its 5 attempts.
 * wrangler.toml's webhooks consumer mirrors these (`max_retries`, `retry_delay`); a test reads both.
 */
export const CRASH_RETRIES = 6;
/**
 * A crashed message comes back after this long: more than an attempt's lease, so an attempt
 * interrupted between its claim and its record is found abandoned and made again.
 */
export const CRASH_RETRY_DELAY_SECONDS = 90;
/** While an attempt runs, no other message makes it (an attempt lasts at most about 10 s). */
export const ATTEMPT_LEASE_SECONDS = 60;

/**
 * The attempt a delivery waits for: the next one, or, when the last claimed attempt was never
 * recorded (the consumer died during it), that one again under the same number.
 */
export function dueAttempt(attemptsClaimed: number, lastRecorded: boolean): number {
  return attemptsClaimed === 0 || lastRecorded ? attemptsClaimed + 1 : attemptsClaimed;
}

/** A receiver gets this long to answer, headers and body. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** At most this much of a response body is read; the rest is dropped unread. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Stored per attempt, for the deliveries API. */
export const RESPONSE_EXCERPT_CHARS = 500;

/** A subscription failing for this long, with no success in between, is disabled. */
export const DISABLE_AFTER_FAILING_MS = 3 * 24 * 60 * 60 * 1000;

/**
 * Seconds to wait after failed attempt `attempt` (1-based), on its mode's schedule, jittered and
 * clamped to what a queue accepts. `random` is injectable so tests can pin the jitter.
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random, livemode = true): number {
  const delays = retryDelays(livemode);
  const index = Math.min(Math.max(attempt, 1), delays.length) - 1;
  const base = delays[index]!;
  const factor = 1 - JITTER + 2 * JITTER * Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.max(Math.round(base * factor), 1), MAX_QUEUE_DELAY_SECONDS);
}

/**
 * How an HTTP answer counts. 2xx: delivered. 408, 429, 5xx: the receiver may recover, retry.
 * 3xx: redirects are not followed (the URL is what the partner registered); treated like an
 * outage, retried, so a receiver fixing its address still gets the event. Other 4xx (401 bad
 * signature, 404, 410 …): the receiver refused it, retrying would not change the answer.
 */
export function classifyStatus(status: number): "succeeded" | "retryable" | "rejected" {
  if (status >= 200 && status < 300) return "succeeded";
  if (status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400)) return "retryable";
  return "rejected";
}

export type AttemptResult =
  | { kind: "response"; status: number }
  /** Timeout, DNS or connection failure: retried like a 5xx. */
  | { kind: "network_error" }
  /** The URL fails the address rules at send time: never sent, and never will be. */
  | { kind: "refused" };

export type NextStep =
  | { status: "succeeded" }
  | { status: "failed" }
  | { status: "pending"; delaySeconds: number };

/** What follows attempt `attempt` of a delivery, given its result (live mode's schedule unless `livemode` is false). */
export function nextStep(attempt: number, result: AttemptResult, random: () => number = Math.random, livemode = true): NextStep {
  const verdict = result.kind === "response" ? classifyStatus(result.status) : result.kind === "network_error" ? "retryable" : "rejected";
  if (verdict === "succeeded") return { status: "succeeded" };
  if (verdict === "rejected" || attempt >= MAX_ATTEMPTS) return { status: "failed" };
  return { status: "pending", delaySeconds: retryDelaySeconds(attempt, random, livemode) };
}
