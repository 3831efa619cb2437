import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, call, createPartner, expectOk, SEED, seedInvoiceBody, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";
import { api, eventsOf, expectError, FUTURE_EXPIRY, liveToken, seedLinkBody } from "../payments/fixtures";

/**
 * Issue 15 "Operator decisions": live KYC submissions wait for the operator, who lists them with
 * GET /v1/admin/kyc and decides them with POST /v1/admin/kyc/{id}/decision (admin key).
 */

const REAL_IBAN = "FR7630006000011234567890189";
const HOLDER = "Régie Recettes Wagram";
const LIVE_ORG = { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } };

/** A live department whose account waits on a pending KYC, with an issued invoice to link. */
async function pendingLiveWorld(t?: Tenant) {
  t ??= await createPartner();
  const live = await liveToken(t);
  const org = await expectOk(await call("/v1/organizations", { token: live, body: LIVE_ORG }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
  await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: REAL_IBAN, account_name: HOLDER } }), 201);
  const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
  expect(kyc.status).toBe("pending");
  const a = api(live, org.id);
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
  const issued = await expectOk(await a.issueInvoice(draft.id));
  const linkBody = { ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY, amount: 1000 };
  return { t, live, org, dept, kyc, a, linkBody };
}

function decide(id: string, body: unknown, headers: Record<string, string> = adminHeaders()) {
  return call(`/v1/admin/kyc/${id}/decision`, { headers: { ...headers, "cf-connecting-ip": "198.51.100.7" }, body });
}

function queue(query: string, headers: Record<string, string> = adminHeaders()) {
  return call(`/v1/admin/kyc?${query}`, { headers });
}

async function trail(token: string, orgId: string) {
  const page = await expectOk(await call("/v1/audit_logs?resource_type=kyc_verification&page_size=100", { token, headers: { "x-entity-id": orgId } }));
  return page.data as Record<string, any>[];
}

async function stored(id: string) {
  return env.DB.prepare("SELECT status, rejection_reason, decided_at, updated_at FROM kyc_verifications WHERE id = ?").bind(id).first();
}

describe("POST /v1/admin/kyc/{id}/decision", () => {
  it("verifies a pending live KYC: the department's live payment link is then accepted, the partner gets the event and the operator's audit entry", async () => {
    const { t, live, org, dept, kyc, a, linkBody } = await pendingLiveWorld();
    expectError(await a.createLink(linkBody), 422, { code: "kyc_not_verified" });

    const res = await decide(kyc.id, { decision: "verified", reason: "Identité et RIB vérifiés." });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: kyc.id, object: "kyc_verification", livemode: true, department_id: dept.id, status: "verified", rejection_reason: null });
    expect(res.body.decided_at).toEqual(expect.any(String));
    expect(await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live }))).toMatchObject({ id: kyc.id, status: "verified", decided_at: res.body.decided_at });

    // The live link the pending KYC refused is now accepted.
    const link = await a.createLink(linkBody);
    expect(link.status).toBe(201);
    expect(link.body.livemode).toBe(true);

    // The partner's event, without the payee's identity in its payload.
    const events = await eventsOf(t.partnerId, "kyc.status_changed");
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({
      kyc: {
        id: kyc.id,
        object: "kyc_verification",
        livemode: true,
        // Submitted at 1, decided: 2 (the event's object_version).
        version: 2,
        organization_id: org.id,
        department_id: dept.id,
        bank_account_id: kyc.bank_account_id,
        status: "verified",
        rejection_reason: null,
        decided_at: res.body.decided_at,
      },
      previous_status: "pending",
    });
    const raw = await env.DB.prepare("SELECT data, data_encrypted FROM events WHERE id = ?").bind(events[0]!.id).first<{ data: string; data_encrypted: string | null }>();
    expect(raw!.data).not.toContain(HOLDER);
    const listed = await expectOk(await call("/v1/events?type=kyc.status_changed", { token: live }));
    expect(listed.data.map((e: { id: string }) => e.id)).toEqual([events[0]!.id]);

    // The audit entry names the operator.
    const entries = await trail(live, org.id);
    expect(entries.map((e) => e.action)).toEqual(["submitted", "status_changed"]);
    expect(entries[1]).toMatchObject({
      resource_id: kyc.id,
      user_type: "operator",
      user_id: "operator",
      ip_address: "198.51.100.7",
      request_id: res.headers.get("x-request-id"),
      changes: {
        before: { status: "pending", rejection_reason: null, decided_at: null },
        after: { status: "verified", rejection_reason: null, decided_at: res.body.decided_at, reason: "Identité et RIB vérifiés." },
      },
    });
  });

  it("rejects with the reason as rejection_reason; a second decision is 409 kyc_already_decided and writes nothing", async () => {
    const { t, live, org, kyc, a, linkBody } = await pendingLiveWorld();
    const rejected = await decide(kyc.id, { decision: "rejected", reason: "RIB illisible" });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: "rejected", rejection_reason: "RIB illisible" });
    expectError(await a.createLink(linkBody), 422, { code: "kyc_not_verified" });

    const before = await stored(kyc.id);
    for (const body of [{ decision: "verified" }, { decision: "rejected", reason: "encore" }]) {
      expectError(await decide(kyc.id, body), 409, { type: "conflict_error", code: "kyc_already_decided", param: "id" });
    }
    expect(await stored(kyc.id)).toEqual(before);
    expect(await eventsOf(t.partnerId, "kyc.status_changed")).toHaveLength(1);
    expect((await trail(live, org.id)).map((e) => e.action)).toEqual(["submitted", "status_changed"]);
  });

  it("decides once when two decisions race: one 200, one 409, one audit entry, one event", async () => {
    const { t, live, org, kyc } = await pendingLiveWorld();
    const results = await Promise.all([decide(kyc.id, { decision: "verified" }), decide(kyc.id, { decision: "rejected", reason: "doublon" })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect(await stored(kyc.id)).toMatchObject({ status: winner.body.status });
    expect(await eventsOf(t.partnerId, "kyc.status_changed")).toHaveLength(1);
    expect((await trail(live, org.id)).filter((e) => e.action === "status_changed")).toHaveLength(1);
  });

  it("answers 409 for a test-mode KYC the sandbox already decided", async () => {
    const t = await createPartner();
    const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department }), 201);
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: SEED.bankAccount }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: t.token, body: SEED.kyc }), 201);
    expect(kyc.status).toBe("verified");
    expectError(await decide(kyc.id, { decision: "rejected", reason: "non" }), 409, { code: "kyc_already_decided" });
  });

  it("refuses a bad decision or a rejection without a reason with 400 naming the field, and writes nothing", async () => {
    const { t, kyc } = await pendingLiveWorld();
    const before = await stored(kyc.id);
    expectError(await decide(kyc.id, { decision: "approved", reason: "x" }), 400, { code: "invalid_parameter", param: "decision" });
    expectError(await decide(kyc.id, { reason: "x" }), 400, { param: "decision" });
    expectError(await decide(kyc.id, { decision: "rejected" }), 400, { code: "invalid_parameter", param: "reason" });
    expectError(await decide(kyc.id, { decision: "rejected", reason: "" }), 400, { param: "reason" });
    expectError(await decide(kyc.id, { decision: "verified", extra: 1 }), 400, { param: "extra" });
    expect(await stored(kyc.id)).toEqual(before);
    expect(await eventsOf(t.partnerId, "kyc.status_changed")).toHaveLength(0);
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expectError(await decide("kyc-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", { decision: "verified" }), 404, { code: "resource_missing", param: "id" });
    expectError(await decide("nope", { decision: "verified" }), 404, { param: "id" });
  });

  it("answers 401 without the admin key, or with a partner's token, and decides nothing", async () => {
    const { live, kyc } = await pendingLiveWorld();
    expectError(await decide(kyc.id, { decision: "verified" }, {}), 401, {});
    expectError(await decide(kyc.id, { decision: "verified" }, { authorization: `Bearer ${live}` }), 401, {});
    expectError(await queue("status=pending", {}), 401, {});
    expect(await stored(kyc.id)).toMatchObject({ status: "pending", decided_at: null });
  });
});

describe("GET /v1/admin/kyc", () => {
  it("lists pending submissions across partners, filtered by status, partner and mode, oldest first", async () => {
    const one = await pendingLiveWorld();
    const two = await pendingLiveWorld();
    const page = await expectOk(await queue(`status=pending&partner_id=${one.t.partnerId}`));
    expect(page.data).toEqual([expect.objectContaining({ id: one.kyc.id, partner_id: one.t.partnerId, status: "pending", livemode: true, object: "kyc_verification" })]);
    expect(page.pagination).toMatchObject({ page: 1, total_items: 1 });

    const all = await expectOk(await queue("status=pending&livemode=true&page_size=100"));
    const ids = all.data.map((k: { id: string }) => k.id);
    expect(ids).toEqual(expect.arrayContaining([one.kyc.id, two.kyc.id]));
    expect(ids.indexOf(one.kyc.id)).toBeLessThan(ids.indexOf(two.kyc.id));
    for (const k of all.data) expect(k).toMatchObject({ status: "pending", livemode: true });

    expect((await expectOk(await queue(`livemode=false&partner_id=${one.t.partnerId}`))).data).toEqual([]);
    await expectOk(await decide(one.kyc.id, { decision: "verified" }));
    expect((await expectOk(await queue(`status=pending&partner_id=${one.t.partnerId}`))).data).toEqual([]);
    expect((await expectOk(await queue(`status=verified&partner_id=${one.t.partnerId}`))).data).toEqual([expect.objectContaining({ id: one.kyc.id })]);
  });

  it("refuses an unknown status or livemode value with 400 naming it", async () => {
    expectError(await queue("status=approved"), 400, { param: "status" });
    expectError(await queue("livemode=yes"), 400, { param: "livemode" });
  });
});
