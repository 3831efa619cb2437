import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type CallResult, type Tenant } from "../helpers/harness";

const CLIENT_IP = "203.0.113.42";

/** A mutation sent from CLIENT_IP, as a partner's server would. */
function mutate(t: Tenant, path: string, body: unknown, method = "POST") {
  return call(path, { method, token: t.token, body, headers: { "cf-connecting-ip": CLIENT_IP } });
}

function trail(t: Tenant, orgId: string, query = "", token = t.token) {
  return call(`/v1/audit_logs${query ? `?${query}` : ""}`, { token, headers: { "x-entity-id": orgId } });
}

function requestId(res: CallResult): string {
  const id = res.headers.get("x-request-id");
  expect(id).toBeTruthy();
  return id!;
}

/** Seed 001 steps 3 to 6, each response kept for its X-Request-Id. */
async function quickstart(t: Tenant) {
  const org = await mutate(t, "/v1/organizations", SEED.organization);
  const dept = await mutate(t, `/v1/organizations/${org.body.id}/departments`, SEED.department);
  const account = await mutate(t, `/v1/departments/${dept.body.id}/bank_accounts`, SEED.bankAccount);
  const kyc = await mutate(t, `/v1/departments/${dept.body.id}/kyc`, SEED.kyc);
  for (const res of [org, dept, account, kyc]) expect(res.status).toBe(201);
  return { org, dept, account, kyc };
}

describe("GET /v1/audit_logs", () => {
  it("records seed 001 steps 3 to 6, oldest first, with who, from where, in which request and what changed", async () => {
    const t = await createPartner();
    const { org, dept, account, kyc } = await quickstart(t);
    const res = await trail(t, org.body.id);
    expect(res.status).toBe(200);
    const common = {
      object: "audit_log",
      livemode: false,
      organization_id: org.body.id,
      user_type: "partner",
      user_id: t.credential.id,
      ip_address: CLIENT_IP,
      // Unsealed until the minute cron runs (test/audit/audit-chain.test.ts seals and verifies).
      sequence: expect.any(Number),
      ip_hash: null,
      previous_hash: null,
      hash: null,
    };
    const first = res.body.data[0].sequence;
    expect(res.body.data.map((e: { sequence: number }) => e.sequence)).toEqual([first, first + 1, first + 2, first + 3, first + 4]);
    expect(res.body.data).toEqual([
      {
        ...common,
        id: expect.stringMatching(/^log-/),
        timestamp: org.body.created_at,
        resource_type: "organization",
        resource_id: org.body.id,
        action: "created",
        request_id: requestId(org),
        changes: { before: null, after: org.body },
      },
      {
        ...common,
        id: expect.stringMatching(/^log-/),
        timestamp: dept.body.created_at,
        resource_type: "department",
        resource_id: dept.body.id,
        action: "created",
        request_id: requestId(dept),
        changes: { before: null, after: dept.body },
      },
      {
        ...common,
        id: expect.stringMatching(/^log-/),
        timestamp: account.body.created_at,
        resource_type: "bank_account",
        resource_id: account.body.id,
        action: "created",
        request_id: requestId(account),
        changes: { before: null, after: account.body },
      },
      {
        ...common,
        id: expect.stringMatching(/^log-/),
        timestamp: kyc.body.created_at,
        resource_type: "kyc_verification",
        resource_id: kyc.body.id,
        action: "submitted",
        request_id: requestId(kyc),
        changes: { before: null, after: { ...kyc.body, status: "pending", decided_at: null } },
      },
      {
        ...common,
        id: expect.stringMatching(/^log-/),
        timestamp: kyc.body.created_at,
        resource_type: "kyc_verification",
        resource_id: kyc.body.id,
        action: "status_changed",
        request_id: requestId(kyc),
        changes: { before: { status: "pending" }, after: { status: "verified", rejection_reason: null } },
      },
    ]);
    expect(res.body.pagination).toEqual({ page: 1, page_size: 20, total_items: 5, total_pages: 1 });
  });

  it("keeps a request id the client sent", async () => {
    const t = await createPartner();
    const org = await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION, headers: { "x-request-id": "client-req-0001" } });
    expect(requestId(org)).toBe("client-req-0001");
    const res = await trail(t, org.body.id);
    expect(res.body.data[0]).toMatchObject({ request_id: "client-req-0001", ip_address: null });
  });

  it("records only the changed fields of an organization update", async () => {
    const t = await createPartner();
    const org = await mutate(t, "/v1/organizations", SEED.organization);
    const patch = await mutate(
      t,
      `/v1/organizations/${org.body.id}`,
      { type: "public_entity", name: "Ville de Lyon", address: null, vat_number: "FR21216901234" },
      "PATCH",
    );
    expect(patch.status).toBe(200);
    const res = await trail(t, org.body.id, "action=updated");
    expect(res.body.data).toEqual([
      expect.objectContaining({
        resource_type: "organization",
        resource_id: org.body.id,
        action: "updated",
        timestamp: patch.body.updated_at,
        request_id: requestId(patch),
        ip_address: CLIENT_IP,
        changes: {
          before: { name: "Mairie de Lyon", address: SEED.organization.address },
          after: { name: "Ville de Lyon", address: null },
        },
      }),
    ]);
  });

  it("records a bank account removal", async () => {
    const t = await createPartner();
    const { dept, account } = await quickstart(t);
    const removed = await mutate(t, `/v1/departments/${dept.body.id}/bank_accounts/${account.body.id}`, undefined, "DELETE");
    expect(removed.status).toBe(200);
    const res = await trail(t, dept.body.organization_id, "action=deleted");
    expect(res.body.data).toEqual([
      expect.objectContaining({
        resource_type: "bank_account",
        resource_id: account.body.id,
        request_id: requestId(removed),
        changes: { before: { status: "active", is_default: true }, after: { status: "deleted", is_default: false } },
      }),
    ]);
  });

  describe("filters", () => {
    it.each([
      { query: "resource_type=department", expected: ["department:created"] },
      { query: "resource_type=kyc_verification", expected: ["kyc_verification:submitted", "kyc_verification:status_changed"] },
      { query: "action=created", expected: ["organization:created", "department:created", "bank_account:created"] },
      { query: "resource_type=kyc_verification&action=status_changed", expected: ["kyc_verification:status_changed"] },
      { query: "resource_type=invoice", expected: [] },
    ])("?$query", async ({ query, expected }) => {
      const t = await createPartner();
      const { org } = await quickstart(t);
      const res = await trail(t, org.body.id, query);
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: { resource_type: string; action: string }) => `${e.resource_type}:${e.action}`)).toEqual(expected);
      expect(res.body.pagination.total_items).toBe(expected.length);
    });

    it("?resource_id", async () => {
      const t = await createPartner();
      const { org, account } = await quickstart(t);
      const res = await trail(t, org.body.id, `resource_id=${account.body.id}`);
      expect(res.body.data.map((e: { resource_id: string; action: string }) => [e.resource_id, e.action])).toEqual([[account.body.id, "created"]]);
    });

    it("keeps each organization's trail apart", async () => {
      const t = await createPartner();
      const { org } = await quickstart(t);
      const other = await mutate(t, "/v1/organizations", VALID_ORGANIZATION);
      const res = await trail(t, other.body.id);
      expect(res.body.data.map((e: { resource_id: string }) => e.resource_id)).toEqual([other.body.id]);
      expect((await trail(t, org.body.id)).body.pagination.total_items).toBe(5);
    });

    describe("dates", () => {
      // Entries at chosen instants around Paris midnights, in winter (UTC+1) and summer (UTC+2).
      // Each entry's resource_id is its own timestamp, so results read as a list of instants.
      const INSTANTS = [
        "2024-01-31T22:59:59.999Z", // 31 Jan 23:59:59.999 in Paris
        "2024-01-31T23:00:00.000Z", // 1 Feb 00:00 in Paris
        "2024-02-01T12:00:00.000Z",
        "2024-02-01T22:59:59.999Z", // 1 Feb 23:59:59.999 in Paris
        "2024-02-01T23:00:00.000Z", // 2 Feb 00:00 in Paris
        "2024-07-14T21:59:59.999Z", // 14 Jul 23:59:59.999 in Paris
        "2024-07-14T22:00:00.000Z", // 15 Jul 00:00 in Paris
      ];

      async function orgWithDatedEntries(t: Tenant) {
        const org = await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
        const insert = env.DB.prepare(
          `INSERT INTO audit_logs (id, partner_id, livemode, organization_id, resource_type, resource_id, action, user_id, user_type, ip_address, request_id, changes, created_at, sequence)
           VALUES (?1, ?2, 0, ?3, 'invoice', ?4, 'created', ?5, 'partner', NULL, NULL, '{"before":null,"after":null}', ?6,
                   (SELECT coalesce(max(sequence), 0) + 1 FROM audit_logs WHERE partner_id = ?2 AND livemode = 0))`,
        );
        await env.DB.batch(INSTANTS.map((at) => insert.bind(`log-${crypto.randomUUID()}`, t.partnerId, org.id, at, t.credential.id, at)));
        return org;
      }

      it.each([
        { query: "from_date=2024-02-01", expected: INSTANTS.slice(1) },
        { query: "to_date=2024-01-31", expected: INSTANTS.slice(0, 1) },
        { query: "from_date=2024-02-01&to_date=2024-02-01", expected: INSTANTS.slice(1, 4) },
        { query: "from_date=2024-07-14&to_date=2024-07-14", expected: INSTANTS.slice(5, 6) },
        { query: "from_date=2024-07-15&to_date=2024-07-15", expected: INSTANTS.slice(6, 7) },
        { query: "from_date=2024-02-01T00:00:00Z&to_date=2024-02-01T23:00:00Z", expected: INSTANTS.slice(2, 5) },
        { query: "from_date=2024-02-01T12:00:00.000Z&to_date=2024-02-01T12:00:00.000Z", expected: INSTANTS.slice(2, 3) },
        { query: "from_date=2024-02-01T01:00:00%2B01:00&to_date=2024-02-01T13:00:00%2B01:00", expected: INSTANTS.slice(2, 3) },
      ])("?$query (calendar dates read in Europe/Paris, instants inclusive)", async ({ query, expected }) => {
        const t = await createPartner();
        const org = await orgWithDatedEntries(t);
        const res = await trail(t, org.id, `resource_type=invoice&${query}`);
        expect(res.status).toBe(200);
        expect(res.body.data.map((e: { timestamp: string }) => e.timestamp)).toEqual(expected);
        expect(res.body.data.map((e: { resource_id: string }) => e.resource_id)).toEqual(expected);
      });

      it("from_date alone reaches today's entries", async () => {
        const t = await createPartner();
        const org = await orgWithDatedEntries(t);
        const res = await trail(t, org.id, "from_date=2024-07-15");
        expect(res.body.data.map((e: { resource_type: string }) => e.resource_type)).toEqual(["invoice", "organization"]);
      });

      it.each([
        { query: "from_date=2024-02-30", param: "from_date" },
        { query: "from_date=yesterday", param: "from_date" },
        { query: "from_date=01/02/2024", param: "from_date" },
        { query: "from_date=2024-02-01%2010:00:00", param: "from_date" },
        { query: "to_date=2024-13-01", param: "to_date" },
      ])("refuses ?$query with 400 param $param", async ({ query, param }) => {
        const t = await createPartner();
        const org = await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
        const res = await trail(t, org.id, query);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
      });
    });
  });

  it("pages, oldest first", async () => {
    const t = await createPartner();
    const { org } = await quickstart(t);
    const all = (await trail(t, org.body.id)).body.data.map((e: { id: string }) => e.id);
    const pages = [];
    for (const page of [1, 2, 3]) {
      const res = await trail(t, org.body.id, `page=${page}&page_size=2`);
      expect(res.body.pagination).toEqual({ page, page_size: 2, total_items: 5, total_pages: 3 });
      pages.push(...res.body.data.map((e: { id: string }) => e.id));
    }
    expect(pages).toEqual(all);
    const limited = await trail(t, org.body.id, "limit=4&page=2");
    expect(limited.body.data.map((e: { id: string }) => e.id)).toEqual(all.slice(4));
    const tooBig = await trail(t, org.body.id, "page_size=101");
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toMatchObject({ code: "invalid_parameter", param: "page_size" });
  });

  describe("X-Entity-Id", () => {
    it("is optional: without it, the partner-level entries only (test/routes/audit-logs-partner.test.ts), none of the organization's", async () => {
      const t = await createPartner();
      const { org } = await quickstart(t);
      const res = await call("/v1/audit_logs", { token: t.token });
      expect(res.status).toBe(200);
      expect(res.body.data.map((e: { resource_type: string; organization_id: string | null }) => [e.resource_type, e.organization_id])).toEqual([
        ["partner", null],
        ["credential", null],
      ]);
      expect(res.body.data.some((e: { resource_id: string }) => e.resource_id === org.body.id)).toBe(false);
    });

    it.each([
      { case: "a malformed organization id", orgId: async (_t: Tenant) => "nope" },
      { case: "an unknown organization id", orgId: async (_t: Tenant) => "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" },
      { case: "another partner's organization", orgId: async (_t: Tenant) => (await quickstart(await createPartner())).org.body.id },
      {
        case: "the same partner's live organization, from test mode",
        orgId: async (t: Tenant) => {
          const live = await accessToken(await issueCredential(t.partnerId, "live"));
          return (await expectOk(await call("/v1/organizations", { token: live, body: VALID_ORGANIZATION }), 201)).id;
        },
      },
    ])("answers 404 resource_missing for $case", async ({ orgId }) => {
      const t = await createPartner();
      const res = await trail(t, await orgId(t));
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
    });

    it("answers 404 to live credentials for a test-mode organization", async () => {
      const t = await createPartner();
      const { org } = await quickstart(t);
      const live = await accessToken(await issueCredential(t.partnerId, "live"));
      const res = await trail(t, org.body.id, "", live);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("resource_missing");
    });
  });
});
