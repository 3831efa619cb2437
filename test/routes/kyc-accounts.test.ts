import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION } from "../helpers/harness";
import { api, expectError, FUTURE_EXPIRY, liveToken, seedLinkBody } from "../payments/fixtures";

/**
 * Issue 10 §7 "KYC is not tied to the payout account": a KYC verification covers one bank
 * account; a live payment link pays into the department's default account only if that account
 * is verified; changing the default is an event and an audit entry the partner sees.
 */

const REAL_IBAN = "FR7630006000011234567890189";
const OTHER_IBAN = "FR7630004000031234567890143";
const LIVE_ORG = { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } };

/** The operator's decision on a live KYC (no API for it yet): written as a provider answer would be. */
async function decide(kycId: string, status: "verified" | "rejected") {
  await env.DB.prepare("UPDATE kyc_verifications SET status = ?, decided_at = ? WHERE id = ?").bind(status, new Date().toISOString(), kycId).run();
}

/** A live department whose account on REAL_IBAN is verified, with an issued invoice. */
async function verifiedLiveWorld() {
  const t = await createPartner();
  const live = await liveToken(t);
  const org = await expectOk(await call("/v1/organizations", { token: live, body: LIVE_ORG }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
  const first = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: REAL_IBAN } }), 201);
  const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
  await decide(kyc.id, "verified");
  const a = api(live, org.id);
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
  const issued = await expectOk(await a.issueInvoice(draft.id));
  const linkBody = { ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY, amount: 1000 };
  return { t, live, org, dept, first, kyc, a, issued, linkBody };
}

function account(token: string, deptId: string, id: string) {
  return call(`/v1/departments/${deptId}/bank_accounts/${id}`, { token });
}

async function defaultChangedEvents(token: string) {
  const page = await expectOk(await call("/v1/events?type=bank_account.default_changed", { token }));
  return page.data as { type: string; organization_id: string; data: Record<string, any> }[];
}

describe("a live payment link pays only into a verified default account", () => {
  it("a new default account stops live links (422 bank_account_not_verified naming it) until a KYC verifies it", async () => {
    const { live, org, dept, first, a, linkBody } = await verifiedLiveWorld();
    expect(await expectOk(await account(live, dept.id, first.id))).toMatchObject({ is_default: true, verification_status: "verified" });
    expect((await a.createLink(linkBody)).status).toBe(201);

    // Someone with organizations:write adds another IBAN as the default.
    const second = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { iban: OTHER_IBAN, account_name: "Autre compte", is_default: true } }), 201);
    expect(second).toMatchObject({ is_default: true, verification_status: "unverified", kyc_verification_id: null });
    const refusal = await a.createLink(linkBody);
    expectError(refusal, 422, { type: "business_rule_error", code: "bank_account_not_verified", param: "invoice_id" });
    expect(refusal.body.error.message).toContain(second.id);
    // The old account keeps its verification, but is no longer where the money goes.
    expect(await expectOk(await account(live, dept.id, first.id))).toMatchObject({ is_default: false, verification_status: "verified" });

    // The change is an event and an audit entry the partner sees.
    const events = await defaultChangedEvents(live);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      organization_id: org.id,
      data: {
        department_id: dept.id,
        previous_bank_account_id: first.id,
        bank_account_id: second.id,
        bank_account: { id: second.id, is_default: true, verification_status: "unverified", iban_last4: "0143" },
      },
    });
    const audit = await expectOk(await call(`/v1/audit_logs?resource_type=bank_account&resource_id=${second.id}`, { token: live, headers: { "x-entity-id": org.id } }));
    expect(audit.data.map((e: { action: string }) => e.action).sort()).toEqual(["created", "default_changed"]);
    const changed = audit.data.find((e: { action: string }) => e.action === "default_changed");
    expect(changed.changes).toEqual({ before: { default_bank_account_id: first.id }, after: { default_bank_account_id: second.id } });

    // A KYC of the new account: pending is not enough, verified is.
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: { iban: OTHER_IBAN } }), 201);
    expect(kyc).toMatchObject({ bank_account_id: second.id, status: "pending" });
    expect(await expectOk(await account(live, dept.id, second.id))).toMatchObject({ verification_status: "pending", kyc_verification_id: kyc.id });
    const pending = await a.createLink(linkBody);
    expectError(pending, 422, { code: "kyc_not_verified" });
    expect(pending.body.error.message).toContain(kyc.id);
    await decide(kyc.id, "verified");
    expect(await expectOk(await account(live, dept.id, second.id))).toMatchObject({ verification_status: "verified", kyc_verification_id: kyc.id });
    const created = await a.createLink(linkBody);
    expect(created.status, created.text).toBe(201);
  });

  it("removing the verified default promotes an unverified account: live links refuse it, and the change is an event", async () => {
    const { live, dept, first, a, linkBody } = await verifiedLiveWorld();
    const spare = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { iban: OTHER_IBAN, account_name: "Compte de secours" } }), 201);
    expect(spare).toMatchObject({ is_default: false, verification_status: "unverified" });
    expect(await defaultChangedEvents(live)).toEqual([]); // a non-default account changes nothing
    expect((await a.createLink(linkBody)).status).toBe(201);

    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts/${first.id}`, { method: "DELETE", token: live }));
    expect(await expectOk(await account(live, dept.id, spare.id))).toMatchObject({ is_default: true, verification_status: "unverified" });
    const refusal = await a.createLink(linkBody);
    expectError(refusal, 422, { code: "bank_account_not_verified" });
    expect(refusal.body.error.message).toContain(spare.id);
    const events = await defaultChangedEvents(live);
    expect(events.map((e) => [e.data.previous_bank_account_id, e.data.bank_account_id])).toEqual([[first.id, spare.id]]);
  });

  it("a KYC of a non-default account does not verify the default one", async () => {
    const { live, dept, a, linkBody } = await verifiedLiveWorld();
    const second = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { iban: OTHER_IBAN, account_name: "Autre", is_default: true } }), 201);
    const third = await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { iban: "FR1420041010050500013M02606", account_name: "Troisième" } }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: { bank_account_id: third.id } }), 201);
    await decide(kyc.id, "verified");
    expect(await expectOk(await account(live, dept.id, third.id))).toMatchObject({ verification_status: "verified", is_default: false });
    const refusal = await a.createLink(linkBody);
    expectError(refusal, 422, { code: "bank_account_not_verified" });
    expect(refusal.body.error.message).toContain(second.id);
  });
});

describe("verification_status of bank accounts (test mode)", () => {
  it("follows the latest KYC that covers the account; test-mode links keep working on an unverified default", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const accounts = await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: t.token }));
    expect(accounts.data).toEqual([expect.objectContaining({ id: w.account.id, verification_status: "verified", kyc_verification_id: w.kyc.id })]);

    const blocked = await expectOk(
      await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, iban: "FR7612345678901234567890125", is_default: true } }),
      201,
    );
    expect(blocked.verification_status).toBe("unverified");
    const rejected = await expectOk(await call(`/v1/departments/${w.dept.id}/kyc`, { token: t.token, body: {} }), 201);
    expect(rejected).toMatchObject({ status: "rejected", bank_account_id: blocked.id });
    expect(await expectOk(await account(t.token, w.dept.id, blocked.id))).toMatchObject({ verification_status: "rejected", kyc_verification_id: rejected.id });
    expect(await expectOk(await account(t.token, w.dept.id, w.account.id))).toMatchObject({ verification_status: "verified", kyc_verification_id: w.kyc.id });

    // The sandbox keeps accepting links, so partners can test their flows before KYC.
    const a = api(t.token, w.org.id);
    const issued = await expectOk(await a.issueInvoice(w.invoice.id));
    expect((await a.createLink({ ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY })).status).toBe(201);
    expect((await defaultChangedEvents(t.token)).map((e) => e.data.bank_account_id)).toEqual([blocked.id]);
  });
});
