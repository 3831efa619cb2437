import { Buffer } from "node:buffer";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type CallResult } from "../helpers/harness";

/** POST/GET/PATCH/DELETE /v1/webhook_subscriptions and rotate_secret, as a partner uses them. */

/** Seed 001 "Gestion des webhooks", verbatim. */
const SEED_SUBSCRIPTION = {
  url: "https://votreapp.fr/webhooks/payment-api",
  events: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"],
  description: "Production webhook",
};

function expectError(res: CallResult, status: number, code: string, param?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

async function subscriptionRows(partnerId: string) {
  const row = await env.DB.prepare(
    "SELECT (SELECT count(*) FROM webhook_subscriptions WHERE partner_id = ?1) AS subscriptions, (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit",
  )
    .bind(partnerId)
    .first<{ subscriptions: number; audit: number }>();
  return row!;
}

async function auditOf(partnerId: string, resourceId: string) {
  const rows = await env.DB.prepare("SELECT action, organization_id, user_type, changes FROM audit_logs WHERE partner_id = ? AND resource_id = ? ORDER BY created_at, id")
    .bind(partnerId, resourceId)
    .all<{ action: string; organization_id: string | null; user_type: string; changes: string }>();
  return rows.results;
}

describe("POST /v1/webhook_subscriptions", () => {
  it("seed 001's body → 201 with a whsec_ secret, status active, and an audit entry without the secret", async () => {
    const t = await createPartner();
    const res = await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      object: "webhook_subscription",
      livemode: false,
      url: SEED_SUBSCRIPTION.url,
      events: SEED_SUBSCRIPTION.events,
      description: "Production webhook",
      status: "active",
      organization_ids: null,
      disabled_reason: null,
      previous_secret_expires_at: null,
    });
    expect(res.body.id).toMatch(/^wh-sub-[0-9a-f-]{36}$/);
    // Standard Webhooks' form: whsec_ + base64 of 24 random bytes (what the standardwebhooks and svix libraries decode).
    expect(res.body.secret).toMatch(/^whsec_[0-9A-Za-z+/]{32}$/);
    expect(Buffer.from(res.body.secret.slice(6), "base64")).toHaveLength(24);
    expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // Shown once: never in a read.
    const got = await expectOk(await call(`/v1/webhook_subscriptions/${res.body.id}`, { token: t.token }));
    expect(got.secret).toBeUndefined();
    const { secret: _secret, ...withoutSecret } = res.body;
    expect(got).toEqual(withoutSecret);
    const list = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token }));
    expect(list.data).toEqual([withoutSecret]);
    expect(list.pagination).toEqual({ page: 1, page_size: 20, total_items: 1, total_pages: 1 });

    // Stored sealed (recoverable for signing, unreadable at rest), and audited without it.
    const stored = await env.DB.prepare("SELECT secret_encrypted FROM webhook_subscriptions WHERE id = ?").bind(res.body.id).first<{ secret_encrypted: string }>();
    expect(stored!.secret_encrypted).toMatch(/^v1:/);
    expect(stored!.secret_encrypted).not.toContain(res.body.secret.slice(6));
    const audit = await auditOf(t.partnerId, res.body.id);
    expect(audit.map((a) => [a.action, a.organization_id, a.user_type])).toEqual([["created", null, "partner"]]);
    expect(audit[0]!.changes).not.toContain(res.body.secret);
  });

  it('"*" subscribes to every event type; duplicates are dropped', async () => {
    const t = await createPartner();
    const all = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { url: "https://votreapp.fr/all", events: ["*"] } }), 201);
    expect(all.events).toEqual(["*"]);
    expect(all.description).toBeNull();
    const dup = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { url: "https://votreapp.fr/d", events: ["refund.created", "refund.created"] } }), 201);
    expect(dup.events).toEqual(["refund.created"]);
  });

  it.each([
    ["a malformed URL", { url: "votreapp.fr/webhooks" }, "invalid_url", "url"],
    ["a missing URL", { url: undefined }, "invalid_parameter", "url"],
    ["an ftp URL", { url: "ftp://votreapp.fr/hooks" }, "invalid_url", "url"],
    ["credentials in the URL", { url: "https://me:pw@votreapp.fr/hooks" }, "invalid_url", "url"],
    ["http to a public host", { url: "http://votreapp.fr/hooks" }, "url_not_https", "url"],
    ["a private address", { url: "https://10.0.0.5/hooks" }, "url_private_address", "url"],
    ["the cloud metadata address", { url: "https://169.254.169.254/latest/meta-data" }, "url_private_address", "url"],
    ["an IPv4-mapped private IPv6", { url: "https://[::ffff:192.168.0.1]/hooks" }, "url_private_address", "url"],
    ["a private-network name", { url: "https://billing.internal/hooks" }, "url_private_address", "url"],
    ["an unknown event type", { events: ["invoice.status_changed", "invoice.paid"] }, "invalid_parameter", "events.1"],
    ["an empty event list", { events: [] }, "invalid_parameter", "events"],
    ['"*" mixed with types', { events: ["*", "refund.created"] }, "invalid_parameter", "events"],
    ["an unknown field", { secret: "whsec_mine" }, "unknown_parameter", "secret"],
  ])("%s → 400 naming the field, nothing written", async (_label, patch, code, param) => {
    const t = await createPartner();
    const before = await subscriptionRows(t.partnerId);
    const res = await call("/v1/webhook_subscriptions", { token: t.token, body: { ...SEED_SUBSCRIPTION, ...patch } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.param).toBe(param);
    if (code !== "unknown_parameter") expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toContain(param.split(".")[0]);
    expect(await subscriptionRows(t.partnerId)).toEqual(before);
  });

  it("test mode accepts a receiver on localhost or 127.0.0.1 over http; live mode refuses it and takes https to a public host only", async () => {
    const t = await createPartner();
    for (const url of ["http://127.0.0.1:9999/hook", "http://localhost:3000/webhooks"]) {
      const res = await call("/v1/webhook_subscriptions", { token: t.token, body: { url, events: ["*"] } });
      expect(res.status, res.text).toBe(201);
      expect(res.body.url).toBe(url);
    }
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    expectError(await call("/v1/webhook_subscriptions", { token: live, body: { url: "http://127.0.0.1:9999/hook", events: ["*"] } }), 400, "url_not_https", "url");
    expectError(await call("/v1/webhook_subscriptions", { token: live, body: { url: "https://127.0.0.1:9999/hook", events: ["*"] } }), 400, "url_private_address", "url");
    expectError(await call("/v1/webhook_subscriptions", { token: live, body: { url: "https://localhost/hook", events: ["*"] } }), 400, "url_private_address", "url");
    expectError(await call("/v1/webhook_subscriptions", { token: live, body: { url: "http://votreapp.fr/hook", events: ["*"] } }), 400, "url_not_https", "url");
    const ok = await expectOk(await call("/v1/webhook_subscriptions", { token: live, body: SEED_SUBSCRIPTION }), 201);
    expect(ok.livemode).toBe(true);
    // Modes do not see each other's subscriptions.
    expect((await expectOk(await call("/v1/webhook_subscriptions", { token: live }))).data.map((s: { id: string }) => s.id)).toEqual([ok.id]);
    expectError(await call(`/v1/webhook_subscriptions/${ok.id}`, { token: t.token }), 404, "resource_missing");
  });

  it("organization_ids: the partner's own organizations only (another partner's, or the other mode's, answer 404)", async () => {
    const t = await createPartner();
    const other = await createPartner();
    const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
    const foreign = await expectOk(await call("/v1/organizations", { token: other.token, body: SEED.organization }), 201);
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const liveOrg = await expectOk(await call("/v1/organizations", { token: live, body: VALID_ORGANIZATION }), 201);

    const limited = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { ...SEED_SUBSCRIPTION, organization_ids: [org.id, org.id] } }), 201);
    expect(limited.organization_ids).toEqual([org.id]);
    for (const id of [foreign.id, liveOrg.id, "org-nope"]) {
      expectError(await call("/v1/webhook_subscriptions", { token: t.token, body: { ...SEED_SUBSCRIPTION, organization_ids: [org.id, id] } }), 404, "resource_missing", "organization_ids");
    }
  });

  it("at most 20 per partner and mode: the 21st → 422 subscription_limit_reached", async () => {
    const t = await createPartner({ plan: "enterprise" });
    for (let i = 0; i < 20; i++) await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { url: `https://votreapp.fr/h/${i}`, events: ["*"] } }), 201);
    expectError(await call("/v1/webhook_subscriptions", { token: t.token, body: { url: "https://votreapp.fr/h/20", events: ["*"] } }), 422, "subscription_limit_reached");
    expect((await subscriptionRows(t.partnerId)).subscriptions).toBe(20);
  });

  it("webhooks:read may list and read, not create (403)", async () => {
    const t = await createPartner();
    const reader = await accessToken(await issueCredential(t.partnerId, "test", ["webhooks:read"]));
    expect((await call("/v1/webhook_subscriptions", { token: reader })).status).toBe(200);
    expectError(await call("/v1/webhook_subscriptions", { token: reader, body: SEED_SUBSCRIPTION }), 403, "insufficient_scope");
  });
});

describe("PATCH /v1/webhook_subscriptions/{id}", () => {
  it("changes only what is sent, audits the difference, and checks a new URL like a new subscription", async () => {
    const t = await createPartner();
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION }), 201);
    const patched = await expectOk(
      await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { events: ["*"], description: null, url: "https://hooks.votreapp.fr/v2" } }),
    );
    expect(patched).toMatchObject({ events: ["*"], description: null, url: "https://hooks.votreapp.fr/v2", status: "active" });
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { url: "https://192.168.1.1/x" } }), 400, "url_private_address", "url");
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { events: [] } }), 400, "invalid_parameter", "events");
    const audit = await auditOf(t.partnerId, sub.id);
    expect(audit.map((a) => a.action)).toEqual(["created", "updated"]);
    expect(JSON.parse(audit[1]!.changes)).toEqual({
      before: { url: SEED_SUBSCRIPTION.url, events: SEED_SUBSCRIPTION.events, description: "Production webhook" },
      after: { url: "https://hooks.votreapp.fr/v2", events: ["*"], description: null },
    });
  });

  it("disables and re-enables; re-enabling clears the failure record", async () => {
    const t = await createPartner();
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION }), 201);
    const disabled = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { status: "disabled" } }));
    expect(disabled).toMatchObject({ status: "disabled", disabled_reason: "requested" });
    expect(disabled.disabled_at).not.toBeNull();
    expect((await expectOk(await call("/v1/webhook_subscriptions?status=disabled", { token: t.token }))).data.map((s: { id: string }) => s.id)).toEqual([sub.id]);
    await env.DB.prepare("UPDATE webhook_subscriptions SET failing_since = '2024-01-01T00:00:00.000Z' WHERE id = ?").bind(sub.id).run();
    const enabled = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { status: "active" } }));
    expect(enabled).toMatchObject({ status: "active", disabled_reason: null, disabled_at: null, failing_since: null });
    expect((await auditOf(t.partnerId, sub.id)).map((a) => a.action)).toEqual(["created", "disabled", "enabled"]);
  });
});

describe("DELETE /v1/webhook_subscriptions/{id}", () => {
  it("deletes: gone from reads and lists (404), audited, a second delete → 404", async () => {
    const t = await createPartner();
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION }), 201);
    const res = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "DELETE", token: t.token }));
    expect(res).toEqual({ id: sub.id, object: "webhook_subscription", deleted: true });
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}`, { token: t.token }), 404, "resource_missing", "id");
    expect((await expectOk(await call("/v1/webhook_subscriptions", { token: t.token }))).data).toEqual([]);
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "DELETE", token: t.token }), 404, "resource_missing");
    expect((await auditOf(t.partnerId, sub.id)).map((a) => a.action)).toEqual(["created", "deleted"]);
    // A deleted subscription no longer counts towards the limit.
    expect((await subscriptionRows(t.partnerId)).subscriptions).toBe(1);
  });
});

describe("POST /v1/webhook_subscriptions/{id}/rotate_secret", () => {
  it("returns a new secret; the old one keeps signing for 24 h (previous_secret_expires_at), audited without secrets", async () => {
    const t = await createPartner();
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION }), 201);
    const before = Date.now();
    const rotated = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/rotate_secret`, { method: "POST", token: t.token }));
    expect(rotated.secret).toMatch(/^whsec_[0-9A-Za-z+/]{32}$/);
    expect(rotated.secret).not.toBe(sub.secret);
    const expires = Date.parse(rotated.previous_secret_expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3600_000 - 5_000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3600_000 + 5_000);
    expect((await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { token: t.token }))).previous_secret_expires_at).toBe(rotated.previous_secret_expires_at);
    const audit = await auditOf(t.partnerId, sub.id);
    expect(audit.map((a) => a.action)).toEqual(["created", "secret_rotated"]);
    expect(audit[1]!.changes).not.toContain(rotated.secret);
    expect(audit[1]!.changes).not.toContain(sub.secret);
  });

  it("previous_secret_expires_in: 0 retires the old secret at once (after a leak)", async () => {
    const t = await createPartner();
    const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: SEED_SUBSCRIPTION }), 201);
    const rotated = await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}/rotate_secret`, { token: t.token, body: { previous_secret_expires_in: 0 } }));
    expect(rotated.previous_secret_expires_at).toBeNull();
    expectError(await call(`/v1/webhook_subscriptions/${sub.id}/rotate_secret`, { token: t.token, body: { previous_secret_expires_in: 90_000 } }), 400, "invalid_parameter", "previous_secret_expires_in");
  });
});
