import { describe, expect, it } from "vitest";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential, SEED, type Tenant } from "../helpers/harness";

/**
 * Issue 15 "Complete audit log": without X-Entity-Id, GET /v1/audit_logs answers the partner-level
 * entries (no organization) of the caller's partner and mode; with it, the organization's, as before.
 */

const HOOK = "http://127.0.0.1:9999/hook";

function partnerTrail(token: string, query = "") {
  return call(`/v1/audit_logs${query ? `?${query}` : ""}`, { token, headers: { "cf-connecting-ip": "203.0.113.9" } });
}

async function entries(token: string, query = "page_size=100") {
  const page = await expectOk(await partnerTrail(token, query));
  return page.data as Record<string, any>[];
}

/** A partner with a webhook subscription, a second test credential, and an organization. */
async function partnerWorld() {
  const t = await createPartner();
  const sub = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, headers: { "cf-connecting-ip": "203.0.113.9" }, body: { url: HOOK, events: ["*"] } }), 201);
  const credential = await issueCredential(t.partnerId, "test", ["invoices:read"]);
  const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
  return { t, sub, credential, org };
}

describe("GET /v1/audit_logs without X-Entity-Id", () => {
  it("lists the partner-level entries, oldest first: the operator's partner and credentials, the partner's subscription, and no organization's entry", async () => {
    const { t, sub, credential, org } = await partnerWorld();
    const data = await entries(t.token);
    expect(data.map((e) => [e.resource_type, e.resource_id, e.action, e.user_type])).toEqual([
      ["partner", t.partnerId, "created", "operator"],
      ["credential", t.credential.id, "created", "operator"],
      ["webhook_subscription", sub.id, "created", "partner"],
      ["credential", credential.id, "created", "operator"],
    ]);
    for (const e of data) expect(e).toMatchObject({ object: "audit_log", livemode: false, organization_id: null });
    expect(data[2]).toMatchObject({ user_id: t.credential.id, ip_address: "203.0.113.9", changes: { before: null, after: expect.objectContaining({ id: sub.id, url: HOOK }) } });
    expect(data[3]).toMatchObject({ user_id: "operator", changes: { before: null, after: { mode: "test", scopes: ["invoices:read"] } } });
    expect(data.some((e) => e.resource_id === org.id)).toBe(false);

    // With X-Entity-Id, the organization's entries as before.
    const orgPage = await expectOk(await call("/v1/audit_logs", { token: t.token, headers: { "x-entity-id": org.id } }));
    expect(orgPage.data.map((e: { resource_id: string }) => e.resource_id)).toEqual([org.id]);
  });

  it("follows later partner-level changes: a subscription updated and deleted, a credential revoked by the operator", async () => {
    const { t, sub, credential } = await partnerWorld();
    await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "PATCH", token: t.token, body: { status: "disabled" } }));
    await expectOk(await call(`/v1/webhook_subscriptions/${sub.id}`, { method: "DELETE", token: t.token }));
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${credential.id}`, { method: "DELETE", headers: adminHeaders() }));
    const data = await entries(t.token, "page_size=100&page=1");
    expect(data.slice(4).map((e) => [e.resource_type, e.action, e.user_type])).toEqual([
      ["webhook_subscription", "disabled", "partner"],
      ["webhook_subscription", "deleted", "partner"],
      ["credential", "revoked", "operator"],
    ]);
    // The usual filters apply.
    const subs = await entries(t.token, `resource_type=webhook_subscription&resource_id=${sub.id}`);
    expect(subs.map((e) => e.action)).toEqual(["created", "disabled", "deleted"]);
    const page = await expectOk(await partnerTrail(t.token, "page_size=2&page=2"));
    expect(page.pagination).toEqual({ page: 2, page_size: 2, total_items: 7, total_pages: 4 });
  });

  it("never shows another partner's entries, nor the other mode's", async () => {
    const one = await partnerWorld();
    const two = await partnerWorld();
    const mine = await entries(one.t.token);
    const theirs = await entries(two.t.token);
    const ids = (list: Record<string, any>[]) => list.map((e) => e.resource_id);
    expect(ids(mine)).not.toEqual(expect.arrayContaining([two.sub.id]));
    expect(ids(mine)).not.toContain(two.credential.id);
    expect(ids(mine)).not.toContain(two.t.partnerId);
    expect(ids(theirs)).not.toContain(one.sub.id);
    expect(ids(theirs)).toEqual([two.t.partnerId, two.t.credential.id, two.sub.id, two.credential.id]);

    // A live credential sees the live entries only: its own issuance, not the test subscription.
    const liveCredential = await issueCredential(one.t.partnerId, "live");
    const live = await entries(await accessToken(liveCredential));
    expect(live.map((e) => [e.resource_type, e.resource_id, e.action, e.livemode])).toEqual([["credential", liveCredential.id, "created", true]]);
    expect(ids(await entries(one.t.token))).not.toContain(liveCredential.id);
  });

  it("still answers 404 for an organization that is not the caller's, and 400 for a bad filter", async () => {
    const one = await partnerWorld();
    const two: Tenant = (await partnerWorld()).t;
    const res = await call("/v1/audit_logs", { token: two.token, headers: { "x-entity-id": one.org.id } });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "resource_missing", param: "X-Entity-Id" });
    const bad = await partnerTrail(one.t.token, "page_size=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_parameter", param: "page_size" });
  });
});
