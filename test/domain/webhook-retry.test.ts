import { describe, expect, it } from "vitest";
import { classifyStatus, dueAttempt, earlyToleranceMs, MAX_ATTEMPTS, MAX_QUEUE_DELAY_SECONDS, nextStep, retryDelaySeconds } from "../../src/domain/webhook-retry";

/** Seed 001: 5 attempts with exponential backoff; DESIGN.md §4: at once, +30 s, +2 min, +10 min, +1 h, with jitter. */

describe("retry schedule", () => {
  it("is about +30 s, +2 min, +10 min, +1 h after attempts 1 to 4", () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, middle))).toEqual([30, 120, 600, 3600]);
  });

  it("jitters each delay within ±10 %", () => {
    const bounds = [
      [27, 33],
      [108, 132],
      [540, 660],
      [3240, 3960],
    ];
    for (const [i, [low, high]] of bounds.entries()) {
      expect(retryDelaySeconds(i + 1, () => 0)).toBe(low);
      expect(retryDelaySeconds(i + 1, () => 1)).toBe(high);
      for (let k = 0; k < 200; k++) {
        const d = retryDelaySeconds(i + 1);
        expect(d).toBeGreaterThanOrEqual(low!);
        expect(d).toBeLessThanOrEqual(high!);
      }
    }
  });

  it("the early-message tolerance stays below each mode's shortest retry delay: a copy of attempt n never passes for attempt n+1", () => {
    for (const livemode of [true, false]) {
      const shortest = Math.min(...[1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 0, livemode)));
      expect(earlyToleranceMs(livemode)).toBeGreaterThan(0);
      expect(earlyToleranceMs(livemode)).toBeLessThan(shortest * 1000);
    }
  });

  it("grows with every attempt, never exceeds what a queue accepts, and clamps odd inputs", () => {
    const delays = [1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 1));
    expect([...delays].sort((a, b) => a - b)).toEqual(delays);
    for (const n of [-1, 0, 1, 4, 5, 99]) {
      const d = retryDelaySeconds(n, Math.random);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
    }
  });
});

describe("classifying a receiver's answer", () => {
  it.each([
    [200, "succeeded"],
    [201, "succeeded"],
    [204, "succeeded"],
    [500, "retryable"],
    [502, "retryable"],
    [503, "retryable"],
    [408, "retryable"],
    [429, "retryable"],
    [301, "retryable"],
    [302, "retryable"],
    [307, "retryable"],
    [400, "rejected"],
    [401, "rejected"],
    [403, "rejected"],
    [404, "rejected"],
    [410, "rejected"],
    [422, "rejected"],
  ] as const)("%i → %s", (status, verdict) => expect(classifyStatus(status)).toBe(verdict));
});

describe("next step after an attempt", () => {
  const fixed = () => 0.5;

  it("5 attempts in all: retries after attempts 1 to 4, fails after the 5th", () => {
    expect(MAX_ATTEMPTS).toBe(5);
    const steps = [1, 2, 3, 4, 5].map((n) => nextStep(n, { kind: "response", status: 500 }, fixed));
    expect(steps).toEqual([
      { status: "pending", delaySeconds: 30 },
      { status: "pending", delaySeconds: 120 },
      { status: "pending", delaySeconds: 600 },
      { status: "pending", delaySeconds: 3600 },
      { status: "failed" },
    ]);
  });

  it("test mode: the same 5 attempts on the accelerated schedule (+2 s, +5 s, +10 s, +20 s, about 37 s in all); live keeps the seed's", () => {
    const steps = [1, 2, 3, 4, 5].map((n) => nextStep(n, { kind: "response", status: 500 }, fixed, false));
    expect(steps).toEqual([
      { status: "pending", delaySeconds: 2 },
      { status: "pending", delaySeconds: 5 },
      { status: "pending", delaySeconds: 10 },
      { status: "pending", delaySeconds: 20 },
      { status: "failed" },
    ]);
    // Jittered ±10 % too, never below a second.
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 0, false))).toEqual([2, 5, 9, 18]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 1, false))).toEqual([2, 6, 11, 22]);
    expect(nextStep(1, { kind: "response", status: 500 }, fixed, true)).toEqual({ status: "pending", delaySeconds: 30 });
  });

  it("timeouts and network errors are retried like a 5xx", () => {
    expect(nextStep(1, { kind: "network_error" }, fixed)).toEqual({ status: "pending", delaySeconds: 30 });
    expect(nextStep(5, { kind: "network_error" }, fixed)).toEqual({ status: "failed" });
  });

  it("a 2xx succeeds at any attempt; other 4xx and a refused URL are final at once", () => {
    expect(nextStep(5, { kind: "response", status: 200 })).toEqual({ status: "succeeded" });
    expect(nextStep(1, { kind: "response", status: 404 })).toEqual({ status: "failed" });
    expect(nextStep(1, { kind: "refused" })).toEqual({ status: "failed" });
  });
});

describe("the attempt a delivery waits for", () => {
  it("is the first before any, the next after a recorded one, and the same again after one claimed but never recorded (a crash)", () => {
    expect(dueAttempt(0, false)).toBe(1);
    expect(dueAttempt(1, true)).toBe(2);
    expect(dueAttempt(4, true)).toBe(5);
    expect(dueAttempt(2, false)).toBe(2);
    expect(dueAttempt(5, false)).toBe(5);
  });
});
