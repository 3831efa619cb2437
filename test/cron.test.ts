import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import wranglerToml from "../wrangler.toml?raw";
import { SCHEDULES } from "../src/cron";
import { call, createPartner } from "./helpers/harness";
import { runScheduled } from "./helpers/scheduled";
import { errorsLoggedBy } from "./helpers/logged";

afterEach(() => {
  vi.restoreAllMocks();
});

/** `[triggers] crons` of wrangler.toml: the schedules Cloudflare will actually run. */
function wranglerCrons(): string[] {
  const triggers = /^\[triggers\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(wranglerToml)?.[1] ?? "";
  const crons = /^crons\s*=\s*(\[[^\]]*\])/m.exec(triggers)?.[1];
  if (!crons) throw new Error("wrangler.toml has no [triggers] crons");
  return JSON.parse(crons);
}

describe("scheduled jobs", () => {
  it("every cron string of wrangler.toml runs jobs, and the dispatcher knows no other", async () => {
    const crons = wranglerCrons();
    expect(crons.length).toBeGreaterThan(0);
    expect([...crons].sort()).toEqual(Object.values(SCHEDULES).sort());
    for (const cron of crons) {
      const errors = await errorsLoggedBy(() => runScheduled(cron));
      expect(errors, cron).not.toContainEqual(expect.objectContaining({ message: "no job for this cron" }));
    }
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
    await runScheduled(SCHEDULES.hourly);
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
    const first = await runScheduled(SCHEDULES.everyMinute);
    // The one message the webhooks consumer fans out from: the event's id.
    expect(first.sent).toEqual([{ event_id: "evt-relay-test" }]);
    const row = await env.DB.prepare("SELECT enqueued_at FROM events WHERE id = 'evt-relay-test'").first<{ enqueued_at: string | null }>();
    expect(row?.enqueued_at).not.toBeNull();
    // A second run finds nothing left to relay.
    const second = await runScheduled(SCHEDULES.everyMinute);
    expect(second.sent).toEqual([]);
    const again = await env.DB.prepare("SELECT enqueued_at FROM events WHERE id = 'evt-relay-test'").first<{ enqueued_at: string }>();
    expect(again?.enqueued_at).toBe(row?.enqueued_at);
  });

  it("an unknown cron string runs nothing, says so, and does not throw", async () => {
    const errors = await errorsLoggedBy(async () => {
      await expect(runScheduled("5 5 5 5 5")).resolves.toEqual({ sent: [] });
    });
    expect(errors).toContainEqual(expect.objectContaining({ message: "no job for this cron", cron: "5 5 5 5 5" }));
  });
});
