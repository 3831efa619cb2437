import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { unseal } from "../../src/lib/crypto";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";

const SANDBOX_IBAN = SEED.bankAccount.iban;
// Real, mod-97-valid IBANs (public specimens).
const REAL_IBAN = "FR7630006000011234567890189";
const OTHER_REAL_IBAN = "FR1420041010050500013M02606";

/** An organization and one department, in the mode of `token`. */
async function department(token: string, organization: Record<string, unknown> = SEED.organization) {
  const org = await expectOk(await call("/v1/organizations", { token, body: organization }), 201);
  return expectOk(await call(`/v1/organizations/${org.id}/departments`, { token, body: SEED.department }), 201);
}

async function addAccount(token: string, deptId: string, body: Record<string, unknown>) {
  return expectOk(await call(`/v1/departments/${deptId}/bank_accounts`, { token, body }), 201);
}

async function liveToken(t: Tenant) {
  return accessToken(await issueCredential(t.partnerId, "live"));
}

async function listAccounts(token: string, deptId: string) {
  return expectOk(await call(`/v1/departments/${deptId}/bank_accounts`, { token }));
}

/** The IBAN in the ways it may appear: compact, grouped by 4, lowercase. */
function ibanSpellings(iban: string): string[] {
  const grouped = iban.replace(/(.{4})(?=.)/g, "$1 ");
  return [iban, grouped, iban.toLowerCase(), grouped.toLowerCase(), iban.slice(4, -4)];
}

describe("POST /v1/departments/{id}/bank_accounts", () => {
  it("adds the seed 001 step 5 account verbatim, masked", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const res = await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: SEED.bankAccount });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ba-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      object: "bank_account",
      livemode: false,
      version: 1,
      organization_id: dept.organization_id,
      department_id: dept.id,
      iban_masked: "FR76 **** **** **** **** ***0 123",
      iban_last4: "0123",
      country: "FR",
      bic: "BNPAFRPPXXX",
      account_name: "Compte Régie Eau",
      bank_name: "BNP Paribas",
      is_default: true,
      verification_status: "unverified",
      kyc_verification_id: null,
      status: "active",
      created_at: expect.any(String),
      updated_at: expect.any(String),
      deleted_at: null,
    });
  });

  it("makes the first account the default even with is_default false", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, { ...SEED.bankAccount, is_default: false });
    expect(account.is_default).toBe(true);
  });

  it("keeps the default when a second account is added without is_default", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const first = await addAccount(t.token, dept.id, SEED.bankAccount);
    const second = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte secondaire" });
    expect(second.is_default).toBe(false);
    const list = await listAccounts(t.token, dept.id);
    expect(list.data.filter((a: { is_default: boolean }) => a.is_default).map((a: { id: string }) => a.id)).toEqual([first.id]);
  });

  it("moves the default to a second account added with is_default true", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const first = await addAccount(t.token, dept.id, SEED.bankAccount);
    const second = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte principal", is_default: true });
    expect(second.is_default).toBe(true);
    const list = await listAccounts(t.token, dept.id);
    expect(list.data.map((a: { id: string; is_default: boolean }) => [a.id, a.is_default])).toEqual([
      [second.id, true],
      [first.id, false],
    ]);
    expect(list.pagination).toEqual({ page: 1, page_size: 20, total_items: 2, total_pages: 1 });
  });

  it.each([
    { case: "the same IBAN", iban: SANDBOX_IBAN },
    { case: "the IBAN with spaces and in lowercase", iban: "fr76 1234 5678 9012 3456 7890 123" },
  ])("refuses $case in the same department with 409 bank_account_exists", async ({ iban }) => {
    const t = await createPartner();
    const dept = await department(t.token);
    await addAccount(t.token, dept.id, SEED.bankAccount);
    const res = await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, iban } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: "conflict_error", code: "bank_account_exists", param: "iban" });
    expect((await listAccounts(t.token, dept.id)).pagination.total_items).toBe(1);
  });

  it("accepts the same IBAN in another department", async () => {
    const t = await createPartner();
    const first = await department(t.token);
    const second = await department(t.token, VALID_ORGANIZATION);
    await addAccount(t.token, first.id, SEED.bankAccount);
    const account = await addAccount(t.token, second.id, SEED.bankAccount);
    expect(account.department_id).toBe(second.id);
  });

  it.each(["FR7612345678901234567890123", "FR7612345678901234567890124", "FR7612345678901234567890125"])(
    "accepts the sandbox IBAN %s in test mode",
    async (iban) => {
      const t = await createPartner();
      const dept = await department(t.token);
      const account = await addAccount(t.token, dept.id, { ...SEED.bankAccount, iban });
      expect(account).toMatchObject({ iban_last4: iban.slice(-4), country: "FR", livemode: false });
    },
  );

  it.each(["FR7612345678901234567890123", "FR7612345678901234567890124", "FR7612345678901234567890125"])(
    "refuses the sandbox IBAN %s in live mode with 400 invalid_iban",
    async (iban) => {
      const t = await createPartner();
      const live = await liveToken(t);
      const dept = await department(live, VALID_ORGANIZATION);
      const res = await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_iban", param: "iban" });
    },
  );

  it.each(["test", "live"] as const)("accepts a real IBAN in %s mode", async (mode) => {
    const t = await createPartner();
    const token = mode === "live" ? await liveToken(t) : t.token;
    const dept = await department(token, VALID_ORGANIZATION);
    const account = await addAccount(token, dept.id, { iban: REAL_IBAN, bic: "BDFEFRPPCCT", account_name: "Trésor public" });
    expect(account).toMatchObject({
      livemode: mode === "live",
      iban_masked: "FR76 **** **** **** **** ***0 189",
      iban_last4: "0189",
      country: "FR",
      bic: "BDFEFRPPCCT",
      bank_name: null,
      is_default: true,
    });
  });

  it.each([
    { case: "a wrong check digit", body: { iban: "FR7630006000011234567890188", account_name: "Compte" }, code: "invalid_iban", param: "iban" },
    { case: "a sandbox-like IBAN not in the list", body: { iban: "FR7612345678901234567890126", account_name: "Compte" }, code: "invalid_iban", param: "iban" },
    { case: "a too short IBAN", body: { iban: "FR763000600001123456789018", account_name: "Compte" }, code: "invalid_iban", param: "iban" },
    { case: "an unknown country", body: { iban: "XX7630006000011234567890189", account_name: "Compte" }, code: "invalid_iban", param: "iban" },
    { case: "letters in place of digits", body: { iban: "FR76ABCDE000011234567890189", account_name: "Compte" }, code: "invalid_iban", param: "iban" },
    { case: "a BIC of 9 characters", body: { iban: REAL_IBAN, bic: "BNPAFRPPX", account_name: "Compte" }, code: "invalid_bic", param: "bic" },
    { case: "a BIC with digits in the institution code", body: { iban: REAL_IBAN, bic: "BNP1FRPP", account_name: "Compte" }, code: "invalid_bic", param: "bic" },
    { case: "a BIC with punctuation", body: { iban: REAL_IBAN, bic: "BNPA-FRPP", account_name: "Compte" }, code: "invalid_bic", param: "bic" },
    { case: "a BIC too long", body: { iban: REAL_IBAN, bic: "BNPAFRPPXXXX", account_name: "Compte" }, code: "invalid_parameter", param: "bic" },
    { case: "a missing IBAN", body: { account_name: "Compte" }, code: "invalid_parameter", param: "iban" },
    { case: "a missing account_name", body: { iban: REAL_IBAN }, code: "invalid_parameter", param: "account_name" },
  ])("refuses $case in test mode with 400 $code", async ({ body, code, param }) => {
    const t = await createPartner();
    const dept = await department(t.token);
    const res = await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
    expect((await listAccounts(t.token, dept.id)).pagination.total_items).toBe(0);
  });

  it.each([
    { case: "a malformed department id", deptId: async () => "nope" },
    { case: "an unknown department id", deptId: async () => "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" },
    { case: "another partner's department", deptId: async () => (await department((await createPartner()).token)).id },
  ])("answers 404 resource_missing for $case", async ({ deptId }) => {
    const t = await createPartner();
    const res = await call(`/v1/departments/${await deptId()}/bank_accounts`, { token: t.token, body: SEED.bankAccount });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });
});

describe("the IBAN at rest and in responses", () => {
  it("never appears in the create, get, list or audit responses", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const created = await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token, body: SEED.bankAccount });
    const second = await call(`/v1/departments/${dept.id}/bank_accounts`, {
      token: t.token,
      body: { iban: OTHER_REAL_IBAN, account_name: "Compte 2" },
    });
    const responses = [
      created,
      second,
      await call(`/v1/departments/${dept.id}/bank_accounts/${created.body.id}`, { token: t.token }),
      await call(`/v1/departments/${dept.id}/bank_accounts`, { token: t.token }),
      await call(`/v1/audit_logs?resource_type=bank_account`, { token: t.token, headers: { "x-entity-id": dept.organization_id } }),
    ];
    for (const res of responses) expect(res.status).toBeLessThan(300);
    expect(responses[4]!.body.pagination.total_items).toBe(2);
    for (const res of responses) {
      for (const spelling of [...ibanSpellings(SANDBOX_IBAN), ...ibanSpellings(OTHER_REAL_IBAN)]) {
        expect(res.text).not.toContain(spelling);
      }
    }
  });

  it("is stored sealed, bound to the account id", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, { ...SEED.bankAccount, iban: "fr76 1234 5678 9012 3456 7890 123" });
    const other = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte 2" });
    const row = await env.DB.prepare("SELECT * FROM bank_accounts WHERE id = ?").bind(account.id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    for (const spelling of ibanSpellings(SANDBOX_IBAN)) expect(JSON.stringify(row)).not.toContain(spelling);
    const sealed = String(row!.iban_encrypted);
    expect(await unseal(env.ENCRYPTION_KEY, sealed, `bank_account:${account.id}`)).toBe(SANDBOX_IBAN);
    await expect(unseal(env.ENCRYPTION_KEY, sealed, `bank_account:${other.id}`)).rejects.toThrow();
  });
});

describe("GET /v1/departments/{id}/bank_accounts[/{ba_id}]", () => {
  it("returns one account as created", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, SEED.bankAccount);
    const res = await call(`/v1/departments/${dept.id}/bank_accounts/${account.id}`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(account);
  });

  it("answers 404 for an account asked through another department", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const other = await department(t.token, VALID_ORGANIZATION);
    const account = await addAccount(t.token, dept.id, SEED.bankAccount);
    const res = await call(`/v1/departments/${other.id}/bank_accounts/${account.id}`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("pages the list", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    await addAccount(t.token, dept.id, SEED.bankAccount);
    await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte 2" });
    await addAccount(t.token, dept.id, { iban: OTHER_REAL_IBAN, account_name: "Compte 3" });
    const res = await call(`/v1/departments/${dept.id}/bank_accounts?page=2&page_size=2`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.pagination).toEqual({ page: 2, page_size: 2, total_items: 3, total_pages: 2 });
  });

  it("answers 404 listing an unknown department", async () => {
    const t = await createPartner();
    const res = await call(`/v1/departments/dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/bank_accounts`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("resource_missing");
  });
});

describe("DELETE /v1/departments/{id}/bank_accounts/{ba_id}", () => {
  it("removes the account: status deleted, then 404 and gone from the list", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const kept = await addAccount(t.token, dept.id, SEED.bankAccount);
    const account = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte 2" });
    const res = await call(`/v1/departments/${dept.id}/bank_accounts/${account.id}`, { method: "DELETE", token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: account.id, status: "deleted", is_default: false, deleted_at: expect.any(String) });
    expect((await call(`/v1/departments/${dept.id}/bank_accounts/${account.id}`, { token: t.token })).status).toBe(404);
    const list = await listAccounts(t.token, dept.id);
    expect(list.data.map((a: { id: string; is_default: boolean }) => [a.id, a.is_default])).toEqual([[kept.id, true]]);
    expect(list.pagination.total_items).toBe(1);
  });

  it("gives the default to the most recent remaining account when the default is removed", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const original = await addAccount(t.token, dept.id, SEED.bankAccount);
    const older = await addAccount(t.token, dept.id, { iban: REAL_IBAN, account_name: "Compte 2" });
    const newer = await addAccount(t.token, dept.id, { iban: OTHER_REAL_IBAN, account_name: "Compte 3" });
    expect((await call(`/v1/departments/${dept.id}/bank_accounts/${original.id}`, { method: "DELETE", token: t.token })).status).toBe(200);
    const list = await listAccounts(t.token, dept.id);
    expect(list.data.map((a: { id: string; is_default: boolean }) => [a.id, a.is_default])).toEqual([
      [newer.id, true],
      [older.id, false],
    ]);
  });

  it("lets the IBAN of a removed account be added again", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, SEED.bankAccount);
    await call(`/v1/departments/${dept.id}/bank_accounts/${account.id}`, { method: "DELETE", token: t.token });
    const again = await addAccount(t.token, dept.id, SEED.bankAccount);
    expect(again).toMatchObject({ iban_last4: "0123", is_default: true });
  });

  it("answers 404 for a second DELETE", async () => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, SEED.bankAccount);
    const path = `/v1/departments/${dept.id}/bank_accounts/${account.id}`;
    expect((await call(path, { method: "DELETE", token: t.token })).status).toBe(200);
    const again = await call(path, { method: "DELETE", token: t.token });
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it.each([
    { case: "a malformed account id", path: (deptId: string, _baId: string) => `/v1/departments/${deptId}/bank_accounts/nope` },
    { case: "an unknown account id", path: (deptId: string, _baId: string) => `/v1/departments/${deptId}/bank_accounts/ba-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b` },
    { case: "the account through an unknown department", path: (_deptId: string, baId: string) => `/v1/departments/dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/bank_accounts/${baId}` },
  ])("answers 404 for $case, and removes nothing", async ({ path }) => {
    const t = await createPartner();
    const dept = await department(t.token);
    const account = await addAccount(t.token, dept.id, SEED.bankAccount);
    const res = await call(path(dept.id, account.id), { method: "DELETE", token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("resource_missing");
    expect((await listAccounts(t.token, dept.id)).data).toEqual([account]);
  });
});
