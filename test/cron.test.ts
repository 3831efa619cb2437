import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../src/cron";
import worker from "../src/index";
import { call, createPartner } from "./helpers/harness";

async function runCron(cron: string, at: Date) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at.getTime(), cron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("scheduled jobs", () => {
  it("the cron strings in wrangler.toml each have jobs", async () => {
    // wrangler.toml is the source of the schedules; the dispatcher must know every one of them.
    expect(Object.values(SCHEDULES)).toEqual(["* * * * *", "0 * * * *"]);
  });

  it("hourly: expired idempotency keys are purged, live ones kept", async () => {
    const t = await createPartner();
    for (const key of ["old", "fresh"]) {
      const res = await call("/v1/organizations", {
        token: t.token,
        headers: { "idempotency-key": key },
        body: { type: "company", name: key, siret: "55208131766522" },
      });
      expect(res.status).toBe(201);
    }
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE key = 'old' AND partner_id = ?")
      .bind(t.partnerId)
      .run();
    await runCron(SCHEDULES.hourly, new Date());
    const keys = await env.DB.prepare("SELECT key FROM idempotency_keys WHERE partner_id = ?").bind(t.partnerId).all<{ key: string }>();
    expect(keys.results.map((r) => r.key)).toEqual(["fresh"]);
  });

  it("every minute: an event committed but never enqueued is relayed to the webhooks queue, once", async () => {
    const t = await createPartner();
    const created = new Date(Date.now() - 120_000).toISOString();
    await env.DB.prepare(
      "INSERT INTO events (id, partner_id, livemode, organization_id, type, data, created_at, enqueued_at) VALUES (?, ?, 0, NULL, 'invoice.created', '{}', ?, NULL)",
    )
      .bind("evt-relay-test", t.partnerId, created)
      .run();
    await runCron(SCHEDULES.everyMinute, new Date());
    const row = await env.DB.prepare("SELECT enqueued_at FROM events WHERE id = 'evt-relay-test'").first<{ enqueued_at: string | null }>();
    expect(row?.enqueued_at).not.toBeNull();
    // A second run finds nothing left to relay.
    await runCron(SCHEDULES.everyMinute, new Date());
    const again = await env.DB.prepare("SELECT enqueued_at FROM events WHERE id = 'evt-relay-test'").first<{ enqueued_at: string }>();
    expect(again?.enqueued_at).toBe(row?.enqueued_at);
  });

  it("an unknown cron string runs nothing and does not throw", async () => {
    await expect(runCron("5 5 5 5 5", new Date())).resolves.toBeUndefined();
  });
});
