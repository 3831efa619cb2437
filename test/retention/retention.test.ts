import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SCHEDULES } from "../../src/cron";
import { ATTEMPT_EXCERPT_PURGE_BATCH, ATTEMPT_EXCERPT_PURGE_ROUNDS } from "../../src/cron/purge-attempt-excerpts";
import { REQUEST_LOG_PURGE_BATCH, REQUEST_LOG_PURGE_ROUNDS } from "../../src/cron/purge-request-logs";
import { runScheduled } from "../helpers/scheduled";
import { errorsLoggedBy } from "../helpers/logged";

/** The hour the cron runs in these tests: a year back is 2025-03-01T12:00Z, 90 days back 2025-12-01T12:00Z. */
const NOW = new Date("2026-03-01T12:00:00.000Z");
const LOG_CUTOFF = Date.parse("2025-03-01T12:00:00.000Z");
const EXCERPT_CUTOFF = NOW.getTime() - 90 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

afterEach(() => {
  vi.restoreAllMocks();
});

// The jobs sweep every partner: each test starts from empty tables so counts are its own.
beforeEach(async () => {
  await env.LOGS.prepare("DELETE FROM request_logs").run();
  await env.DB.prepare("DELETE FROM webhook_delivery_attempts").run();
});

async function insertLog(id: string, createdAt: string) {
  await env.LOGS.prepare(
    "INSERT INTO request_logs (id, request_id, partner_id, livemode, method, route, path_ids, status, duration_ms, ip, replayed, created_at) VALUES (?, ?, 'ptn_retention', 0, 'GET', '/v1/invoices', '{}', 200, 12, '203.0.113.9', 0, ?)",
  )
    .bind(id, `req_${id}`, createdAt)
    .run();
}

/** `count` calls, one millisecond apart, the first at `firstMs`; ids `bulk-00000`… in age order. */
async function insertLogs(count: number, firstMs: number) {
  await env.LOGS.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
     INSERT INTO request_logs (id, request_id, partner_id, livemode, method, route, path_ids, status, duration_ms, replayed, created_at)
     SELECT printf('bulk-%05d', i), printf('req-%05d', i), 'ptn_retention', 0, 'GET', '/v1/invoices', '{}', 200, 5, 0,
            strftime('%Y-%m-%dT%H:%M:%fZ', (?2 + i) / 1000.0, 'unixepoch') FROM n`,
  )
    .bind(count, firstMs)
    .run();
}

async function logIds(): Promise<string[]> {
  const { results } = await env.LOGS.prepare("SELECT id FROM request_logs ORDER BY created_at, id").all<{ id: string }>();
  return results.map((r) => r.id);
}

async function insertAttempt(id: string, at: string, excerpt: string | null) {
  await env.DB.prepare(
    "INSERT INTO webhook_delivery_attempts (id, delivery_id, run, attempt, at, url, status_code, latency_ms, outcome, error, response_excerpt) VALUES (?, ?, 1, 1, ?, 'https://hooks.example.com/in', 500, 87, 'retrying', NULL, ?)",
  )
    .bind(id, `whd_${id}`, at, excerpt)
    .run();
}

async function attempts() {
  const { results } = await env.DB.prepare("SELECT id, at, url, status_code, latency_ms, outcome, error, response_excerpt FROM webhook_delivery_attempts ORDER BY at, id").all<
    Record<string, unknown>
  >();
  return results;
}

describe("retention: API call logs, one year", () => {
  it("a call just over a year old is deleted from LOGS; one exactly a year old, or younger, is kept; a second run changes nothing", async () => {
    await insertLog("past", iso(LOG_CUTOFF - 1));
    await insertLog("long-past", iso(LOG_CUTOFF - 200 * 86_400_000));
    await insertLog("at-limit", iso(LOG_CUTOFF));
    await insertLog("within", iso(LOG_CUTOFF + 1));
    await insertLog("recent", iso(NOW.getTime() - 60_000));

    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual(["at-limit", "within", "recent"]);

    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual(["at-limit", "within", "recent"]);
    // An hour later, the call that was exactly a year old is past the limit too.
    await runScheduled(SCHEDULES.hourly, new Date(NOW.getTime() + 3_600_000));
    expect(await logIds()).toEqual(["recent"]);
  });

  it("a run deletes at most 5 000 calls, the oldest first; the backlog goes on the next run", async () => {
    const bound = REQUEST_LOG_PURGE_BATCH * REQUEST_LOG_PURGE_ROUNDS;
    expect(bound).toBe(5_000);
    await insertLogs(bound + 3, LOG_CUTOFF - 30 * 86_400_000);
    await insertLog("kept", iso(LOG_CUTOFF + 1));

    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual(["bulk-05000", "bulk-05001", "bulk-05002", "kept"]);

    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual(["kept"]);
    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual(["kept"]);
  });

  it("a failing LOGS database fails only its own job: the other hourly jobs still run, the failure is logged, and the next run catches up", async () => {
    await insertLog("past", iso(LOG_CUTOFF - 1));
    await insertAttempt("att-old", iso(EXCERPT_CUTOFF - 1), '{"received":"jane.doe@example.com"}');
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (partner_id, livemode, key, claim_id, request_hash, status, created_at, expires_at) VALUES ('ptn_retention', 0, 'retention-old', 'clm_1', 'h', 'completed', '2026-02-27T12:00:00.000Z', '2026-02-28T12:00:00.000Z')",
    ).run();
    const expiredKeys = () => env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = 'retention-old'").first<{ n: number }>();
    expect(await expiredKeys()).toEqual({ n: 1 });

    const prepare = vi.spyOn(env.LOGS, "prepare").mockImplementation(() => {
      throw new Error("D1_ERROR: storage unavailable");
    });
    const errors = await errorsLoggedBy(() => expect(runScheduled(SCHEDULES.hourly, NOW)).rejects.toThrow("D1_ERROR: storage unavailable"));
    expect(errors).toContainEqual(expect.objectContaining({ message: "cron job failed", job: "purgeRequestLogs" }));
    expect(errors.filter((e) => e.message === "cron job failed").map((e) => e.job)).toEqual(["purgeRequestLogs"]);
    // The jobs beside it ran: the excerpt is erased, the expired idempotency key is gone.
    expect((await attempts()).map((a) => a.response_excerpt)).toEqual([null]);
    expect(await expiredKeys()).toEqual({ n: 0 });

    prepare.mockRestore();
    expect(await logIds()).toEqual(["past"]);
    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await logIds()).toEqual([]);
  });
});

describe("retention: webhook delivery attempt excerpts, 90 days", () => {
  it("an excerpt just over 90 days old is erased, the attempt itself kept; one exactly 90 days old, or younger, is kept; a second run changes nothing", async () => {
    await insertAttempt("past", iso(EXCERPT_CUTOFF - 1), "Bad Request: unknown customer jane.doe@example.com");
    await insertAttempt("at-limit", iso(EXCERPT_CUTOFF), "at limit");
    await insertAttempt("within", iso(EXCERPT_CUTOFF + 1), "within");
    await insertAttempt("no-body", iso(EXCERPT_CUTOFF - 86_400_000), null);

    await runScheduled(SCHEDULES.hourly, NOW);
    const after = await attempts();
    expect(after).toEqual([
      { id: "no-body", at: iso(EXCERPT_CUTOFF - 86_400_000), url: "https://hooks.example.com/in", status_code: 500, latency_ms: 87, outcome: "retrying", error: null, response_excerpt: null },
      { id: "past", at: iso(EXCERPT_CUTOFF - 1), url: "https://hooks.example.com/in", status_code: 500, latency_ms: 87, outcome: "retrying", error: null, response_excerpt: null },
      { id: "at-limit", at: iso(EXCERPT_CUTOFF), url: "https://hooks.example.com/in", status_code: 500, latency_ms: 87, outcome: "retrying", error: null, response_excerpt: "at limit" },
      { id: "within", at: iso(EXCERPT_CUTOFF + 1), url: "https://hooks.example.com/in", status_code: 500, latency_ms: 87, outcome: "retrying", error: null, response_excerpt: "within" },
    ]);

    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await attempts()).toEqual(after);
  });

  it("a run erases at most 5 000 excerpts, the oldest first; the backlog goes on the next run", async () => {
    const bound = ATTEMPT_EXCERPT_PURGE_BATCH * ATTEMPT_EXCERPT_PURGE_ROUNDS;
    expect(bound).toBe(5_000);
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
       INSERT INTO webhook_delivery_attempts (id, delivery_id, run, attempt, at, url, status_code, latency_ms, outcome, response_excerpt)
       SELECT printf('bulk-%05d', i), printf('whd-%05d', i), 1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', (?2 + i) / 1000.0, 'unixepoch'),
              'https://hooks.example.com/in', 200, 40, 'succeeded', 'ok' FROM n`,
    )
      .bind(bound + 3, EXCERPT_CUTOFF - 30 * 86_400_000)
      .run();

    const withExcerpt = async () =>
      (await env.DB.prepare("SELECT id FROM webhook_delivery_attempts WHERE response_excerpt IS NOT NULL ORDER BY at").all<{ id: string }>()).results.map((r) => r.id);
    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await withExcerpt()).toEqual(["bulk-05000", "bulk-05001", "bulk-05002"]);
    await runScheduled(SCHEDULES.hourly, NOW);
    expect(await withExcerpt()).toEqual([]);
    const total = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_delivery_attempts").first<{ n: number }>();
    expect(total).toEqual({ n: bound + 3 });
  });
});
