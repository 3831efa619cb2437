import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";

const REAL_IBAN = "FR7630006000011234567890189";
const BLOCKED_SANDBOX_IBAN = "FR7612345678901234567890125";

/** Seed 001 steps 3 and 4 (organization, department) in the mode of `token`. */
async function department(token: string, organization: Record<string, unknown> = SEED.organization) {
  const org = await expectOk(await call("/v1/organizations", { token, body: organization }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token, body: SEED.department }), 201);
  return { org, dept };
}

async function addAccount(token: string, deptId: string, body: Record<string, unknown> = SEED.bankAccount) {
  return expectOk(await call(`/v1/departments/${deptId}/bank_accounts`, { token, body }), 201);
}

function submit(token: string, deptId: string, body: Record<string, unknown>) {
  return call(`/v1/departments/${deptId}/kyc`, { token, body });
}

async function liveToken(t: Tenant) {
  return accessToken(await issueCredential(t.partnerId, "live"));
}

describe("POST /v1/departments/{id}/kyc", () => {
  it("verifies the seed 001 step 6 body verbatim after step 5, with the SIRET warning in test mode", async () => {
    const t = await createPartner();
    const { org, dept } = await department(t.token);
    const account = await addAccount(t.token, dept.id);
    const res = await submit(t.token, dept.id, SEED.kyc);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: "kyc_verification",
      livemode: false,
      organization_id: org.id,
      department_id: dept.id,
      status: "verified",
      legal_name: "Mairie de Lyon",
      siret: "21690123400019",
      account_holder_name: "Compte Régie Eau",
      bank_account_id: account.id,
      rejection_reason: null,
    });
    expect(res.body.id).toMatch(/^kyc-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: "siret_checksum_failed", param: "siret" })]);
    expect(res.body.decided_at).toBe(res.body.submitted_at);
  });

  it("verifies a checksum-valid organization without warnings, defaulting to the default account", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token, VALID_ORGANIZATION);
    await addAccount(t.token, dept.id);
    const main = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "EDF Recettes", is_default: true });
    const res = await submit(t.token, dept.id, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "verified",
      legal_name: "EDF",
      siret: "55208131766522",
      account_holder_name: "EDF Recettes",
      bank_account_id: main.id,
      warnings: [],
    });
  });

  it("picks the account named by the IBAN, whatever its spelling", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    const sandbox = await addAccount(t.token, dept.id);
    await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Autre compte", is_default: true });
    const res = await submit(t.token, dept.id, { ...SEED.kyc, iban: "fr76 1234 5678 9012 3456 7890 123" });
    expect(res.status).toBe(201);
    expect(res.body.bank_account_id).toBe(sandbox.id);
  });

  it("rejects an account on the blocked sandbox IBAN with bank_account_blocked", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    const account = await addAccount(t.token, dept.id, { ...SEED.bankAccount, iban: BLOCKED_SANDBOX_IBAN });
    const res = await submit(t.token, dept.id, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "rejected", rejection_reason: "bank_account_blocked", bank_account_id: account.id });
    expect(res.body.decided_at).toEqual(expect.any(String));
  });

  it("rejects a holder named 'Rejected Payee' with identity_mismatch", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    await addAccount(t.token, dept.id);
    const res = await submit(t.token, dept.id, { account_holder_name: "Rejected Payee" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "rejected", rejection_reason: "identity_mismatch", account_holder_name: "Rejected Payee" });
  });

  it("stays pending in live mode", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const { dept } = await department(live, VALID_ORGANIZATION);
    const account = await addAccount(live, dept.id, { iban: REAL_IBAN, account_name: "EDF Recettes" });
    const res = await submit(live, dept.id, { iban: REAL_IBAN });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      livemode: true,
      status: "pending",
      decided_at: null,
      rejection_reason: null,
      bank_account_id: account.id,
      warnings: [],
    });
  });

  it("refuses in live mode a SIRET whose checksum fails with 400", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const { dept } = await department(live, VALID_ORGANIZATION);
    await addAccount(live, dept.id, { iban: REAL_IBAN, account_name: "EDF Recettes" });
    const res = await submit(live, dept.id, { siret: SEED.organization.siret });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_siret", param: "siret" });
  });

  it.each([
    {
      case: "an IBAN that is not one of the department's accounts",
      accounts: [SEED.bankAccount],
      body: { ...SEED.kyc, iban: REAL_IBAN },
      code: "bank_account_not_found",
      param: "iban",
    },
    {
      case: "the seed body for a department without accounts",
      accounts: [],
      body: SEED.kyc,
      code: "bank_account_not_found",
      param: "iban",
    },
    { case: "a department without accounts", accounts: [], body: {}, code: "bank_account_required", param: "bank_account_id" },
  ])("refuses $case with 422 $code", async ({ accounts, body, code, param }) => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    for (const account of accounts) await addAccount(t.token, dept.id, account);
    const res = await submit(t.token, dept.id, body);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ type: "business_rule_error", code, param });
    expect((await call(`/v1/departments/${dept.id}/kyc`, { token: t.token })).status).toBe(404);
  });

  it("does not verify against a removed account", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    const account = await addAccount(t.token, dept.id);
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts/${account.id}`, { method: "DELETE", token: t.token }));
    const res = await submit(t.token, dept.id, {});
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("bank_account_required");
  });

  it.each([
    { case: "an invalid IBAN", body: { iban: "FR7630006000011234567890188" }, code: "invalid_iban", param: "iban" },
    { case: "an unknown field", body: { holder: "Mairie" }, code: "invalid_parameter", param: "holder" },
    { case: "an empty holder name", body: { account_holder_name: "" }, code: "invalid_parameter", param: "account_holder_name" },
  ])("refuses $case with 400", async ({ body, code, param }) => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    await addAccount(t.token, dept.id);
    const res = await submit(t.token, dept.id, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
  });

  it.each([
    { case: "a malformed department id", deptId: async () => "nope" },
    { case: "an unknown department id", deptId: async () => "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" },
    {
      case: "another partner's department",
      deptId: async () => {
        const other = await createPartner();
        const { dept } = await department(other.token);
        await addAccount(other.token, dept.id);
        return dept.id;
      },
    },
  ])("answers 404 resource_missing for $case", async ({ deptId }) => {
    const t = await createPartner();
    const res = await submit(t.token, await deptId(), SEED.kyc);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });
});

describe("GET /v1/departments/{id}/kyc", () => {
  it("returns the latest submission with the earlier ones as history, newest first", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    await addAccount(t.token, dept.id);
    const first = await expectOk(await submit(t.token, dept.id, { account_holder_name: "Rejected Payee" }), 201);
    const second = await expectOk(await submit(t.token, dept.id, { account_holder_name: "Mairie" }), 201);
    const third = await expectOk(await submit(t.token, dept.id, SEED.kyc), 201);
    const res = await call(`/v1/departments/${dept.id}/kyc`, { token: t.token });
    expect(res.status).toBe(200);
    const { history, ...current } = res.body;
    expect(current).toEqual(third);
    expect(history).toEqual([second, first]);
  });

  it("answers 404 before any submission", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    await addAccount(t.token, dept.id);
    const res = await call(`/v1/departments/${dept.id}/kyc`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("answers 404 to the other mode", async () => {
    const t = await createPartner();
    const { dept } = await department(t.token);
    await addAccount(t.token, dept.id);
    await expectOk(await submit(t.token, dept.id, SEED.kyc), 201);
    const res = await call(`/v1/departments/${dept.id}/kyc`, { token: await liveToken(t) });
    expect(res.status).toBe(404);
  });
});
