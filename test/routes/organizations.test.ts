import { describe, expect, it } from "vitest";
import {
  accessToken,
  call,
  createPartner,
  expectOk,
  issueCredential,
  SEED,
  VALID_ORGANIZATION,
  type Tenant,
} from "../helpers/harness";

/** A live-mode access token for the tenant's partner. */
async function liveToken(t: Tenant): Promise<string> {
  return accessToken(await issueCredential(t.partnerId, "live"));
}

async function createOrganization(token: string, body: Record<string, unknown>) {
  return expectOk(await call("/v1/organizations", { token, body }), 201);
}

// A valid VAT number (key 44) of another company's SIREN (732829320), with a Luhn-valid SIRET of it.
const OTHER_SIREN_VAT = "FR44732829320";
const OTHER_SIRET = "73282932000074";

describe("POST /v1/organizations", () => {
  it("creates the seed 001 step 3 organization verbatim in test mode, with checksum warnings", async () => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: t.token, body: SEED.organization });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: "organization",
      livemode: false,
      type: "public_entity",
      name: "Mairie de Lyon",
      siret: "21690123400019",
      siren: "216901234",
      vat_number: "FR21216901234",
      address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
      contact: null,
      branding: null,
      metadata: {},
    });
    expect(res.body.id).toMatch(/^org-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.created_at).toBe(res.body.updated_at);
    expect(res.body.warnings).toEqual([
      expect.objectContaining({ code: "siret_checksum_failed", param: "siret" }),
      expect.objectContaining({ code: "vat_number_checksum_failed", param: "vat_number" }),
    ]);
  });

  it("creates a checksum-valid organization without warnings", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, VALID_ORGANIZATION);
    expect(org).toMatchObject({ siret: "55208131766522", siren: "552081317", vat_number: "FR03552081317", warnings: [] });
  });

  it("accepts in test mode, with a warning, a VAT number whose SIREN is another company's", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, { ...VALID_ORGANIZATION, vat_number: OTHER_SIREN_VAT });
    expect(org.warnings).toEqual([expect.objectContaining({ code: "vat_number_siren_mismatch", param: "vat_number" })]);
  });

  it.each(["test", "live"] as const)("stores a SIRET typed with spaces and a lowercase VAT number normalized, in %s mode", async (mode) => {
    const t = await createPartner();
    const token = mode === "live" ? await liveToken(t) : t.token;
    const org = await createOrganization(token, { ...VALID_ORGANIZATION, siret: "552 081 317 66522", vat_number: "fr 03 552081317" });
    expect(org).toMatchObject({ siret: "55208131766522", siren: "552081317", vat_number: "FR03552081317", warnings: [] });
  });

  it("creates a checksum-valid organization in live mode", async () => {
    const t = await createPartner();
    const org = await createOrganization(await liveToken(t), VALID_ORGANIZATION);
    expect(org).toMatchObject({ livemode: true, siren: "552081317", warnings: [] });
  });

  it.each([
    { case: "the seed's SIRET (checksum fails)", body: SEED.organization, code: "invalid_siret", param: "siret" },
    { case: "a VAT number whose key fails", body: { ...VALID_ORGANIZATION, vat_number: "FR00552081317" }, code: "invalid_vat_number", param: "vat_number" },
    { case: "a VAT number of another SIREN", body: { ...VALID_ORGANIZATION, vat_number: OTHER_SIREN_VAT }, code: "vat_number_siren_mismatch", param: "vat_number" },
  ])("live mode refuses $case with 400", async ({ body, code, param }) => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: await liveToken(t), body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
  });

  describe.each(["test", "live"] as const)("format errors in %s mode", (mode) => {
    it.each([
      { case: "a 13-digit SIRET", body: { ...VALID_ORGANIZATION, siret: "5520813176652" }, code: "invalid_siret", param: "siret" },
      { case: "a SIRET with letters", body: { ...VALID_ORGANIZATION, siret: "5520813176652A" }, code: "invalid_siret", param: "siret" },
      { case: "a 12-character VAT number", body: { ...VALID_ORGANIZATION, vat_number: "FR0355208131" }, code: "invalid_vat_number", param: "vat_number" },
      { case: "a foreign VAT number", body: { ...VALID_ORGANIZATION, vat_number: "DE123456789" }, code: "invalid_vat_number", param: "vat_number" },
      { case: "a missing SIRET", body: { type: "company", name: "EDF" }, code: "invalid_parameter", param: "siret" },
      { case: "an unknown type", body: { ...VALID_ORGANIZATION, type: "association" }, code: "invalid_parameter", param: "type" },
      { case: "an unknown field", body: { ...VALID_ORGANIZATION, siert: "55208131766522" }, code: "invalid_parameter", param: "siert" },
    ])("refuses $case with 400", async ({ body, code, param }) => {
      const t = await createPartner();
      const token = mode === "live" ? await liveToken(t) : t.token;
      const res = await call("/v1/organizations", { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
    });
  });

  it("stores valid branding", async () => {
    const t = await createPartner();
    const branding = { display_name: "Ville de Lyon", logo_url: "https://www.lyon.fr/logo.svg", primary_color: "#1A4B8C" };
    const org = await createOrganization(t.token, { ...VALID_ORGANIZATION, branding });
    expect(org.branding).toEqual(branding);
  });

  it.each([
    { case: "an http logo URL", branding: { logo_url: "http://www.lyon.fr/logo.svg" }, param: "branding.logo_url" },
    { case: "a logo that is not a URL", branding: { logo_url: "logo.svg" }, param: "branding.logo_url" },
    { case: "a colour name", branding: { primary_color: "blue" }, param: "branding.primary_color" },
    { case: "a 5-digit hex colour", branding: { primary_color: "#1A4B8" }, param: "branding.primary_color" },
    { case: "a hex colour without #", branding: { primary_color: "1A4B8C" }, param: "branding.primary_color" },
  ])("refuses branding with $case (400, param $param)", async ({ branding, param }) => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: t.token, body: { ...VALID_ORGANIZATION, branding } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  });
});

describe("GET /v1/organizations/{id}", () => {
  it("returns the organization as created", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, SEED.organization);
    const res = await call(`/v1/organizations/${org.id}`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(org);
  });

  it.each([
    { case: "a malformed id", id: () => Promise.resolve("nope") },
    { case: "an unknown id", id: () => Promise.resolve("org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b") },
    {
      case: "another partner's organization",
      id: async () => (await createOrganization((await createPartner()).token, VALID_ORGANIZATION)).id,
    },
  ])("answers 404 resource_missing for $case", async ({ id }) => {
    const t = await createPartner();
    const res = await call(`/v1/organizations/${await id()}`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("answers 404 for the same partner's organization of the other mode", async () => {
    const t = await createPartner();
    const testOrg = await createOrganization(t.token, VALID_ORGANIZATION);
    const live = await liveToken(t);
    const liveOrg = await createOrganization(live, VALID_ORGANIZATION);
    expect((await call(`/v1/organizations/${testOrg.id}`, { token: live })).status).toBe(404);
    expect((await call(`/v1/organizations/${liveOrg.id}`, { token: t.token })).status).toBe(404);
  });
});

describe("GET /v1/organizations", () => {
  async function threeOrganizations(t: Tenant) {
    const a = await createOrganization(t.token, { ...VALID_ORGANIZATION, name: "A" });
    const b = await createOrganization(t.token, { ...SEED.organization, name: "B" });
    const c = await createOrganization(t.token, { ...VALID_ORGANIZATION, name: "C" });
    return [a, b, c] as const;
  }

  it("lists newest first with the pagination envelope", async () => {
    const t = await createPartner();
    const [a, b, c] = await threeOrganizations(t);
    const res = await call("/v1/organizations", { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body.data.map((o: { id: string }) => o.id)).toEqual([c.id, b.id, a.id]);
    expect(res.body.data[1]).toEqual(b);
    expect(res.body.pagination).toEqual({ page: 1, page_size: 20, total_items: 3, total_pages: 1 });
  });

  it("pages with page and page_size", async () => {
    const t = await createPartner();
    const [a, b, c] = await threeOrganizations(t);
    const first = await call("/v1/organizations?page=1&page_size=2", { token: t.token });
    const second = await call("/v1/organizations?page=2&page_size=2", { token: t.token });
    expect(first.body.data.map((o: { id: string }) => o.id)).toEqual([c.id, b.id]);
    expect(first.body.pagination).toEqual({ page: 1, page_size: 2, total_items: 3, total_pages: 2 });
    expect(second.body.data.map((o: { id: string }) => o.id)).toEqual([a.id]);
    expect(second.body.pagination).toEqual({ page: 2, page_size: 2, total_items: 3, total_pages: 2 });
  });

  it("accepts limit as an alias of page_size, and page_size 100", async () => {
    const t = await createPartner();
    const [, , c] = await threeOrganizations(t);
    const limited = await call("/v1/organizations?limit=1", { token: t.token });
    expect(limited.body.data.map((o: { id: string }) => o.id)).toEqual([c.id]);
    expect(limited.body.pagination).toEqual({ page: 1, page_size: 1, total_items: 3, total_pages: 3 });
    const max = await call("/v1/organizations?page_size=100", { token: t.token });
    expect(max.status).toBe(200);
    expect(max.body.pagination).toEqual({ page: 1, page_size: 100, total_items: 3, total_pages: 1 });
  });

  it("filters by type", async () => {
    const t = await createPartner();
    const [a, b, c] = await threeOrganizations(t);
    const companies = await call("/v1/organizations?type=company", { token: t.token });
    expect(companies.body.data.map((o: { id: string }) => o.id)).toEqual([c.id, a.id]);
    expect(companies.body.pagination.total_items).toBe(2);
    const publics = await call("/v1/organizations?type=public_entity", { token: t.token });
    expect(publics.body.data.map((o: { id: string }) => o.id)).toEqual([b.id]);
  });

  it("lists only the caller's partner and mode", async () => {
    const t = await createPartner();
    await createOrganization(t.token, VALID_ORGANIZATION);
    await createOrganization((await createPartner()).token, VALID_ORGANIZATION);
    const live = await call("/v1/organizations", { token: await liveToken(t) });
    expect(live.body).toEqual({ data: [], pagination: { page: 1, page_size: 20, total_items: 0, total_pages: 0 } });
    const test = await call("/v1/organizations", { token: t.token });
    expect(test.body.pagination.total_items).toBe(1);
  });

  it.each([
    { query: "page_size=101", param: "page_size" },
    { query: "page_size=0", param: "page_size" },
    { query: "limit=101", param: "limit" },
    { query: "page=0", param: "page" },
    { query: "page=abc", param: "page" },
    { query: "type=association", param: "type" },
  ])("refuses ?$query with 400 param $param", async ({ query, param }) => {
    const t = await createPartner();
    const res = await call(`/v1/organizations?${query}`, { token: t.token });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  });
});

describe("PATCH /v1/organizations/{id}", () => {
  async function auditTrail(t: Tenant, orgId: string, action: string) {
    return expectOk(
      await call(`/v1/audit_logs?resource_type=organization&resource_id=${orgId}&action=${action}`, {
        token: t.token,
        headers: { "x-entity-id": orgId },
      }),
    );
  }

  it("changes only the fields sent", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, SEED.organization);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body: { name: "Ville de Lyon" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...org, name: "Ville de Lyon", updated_at: expect.any(String) });
    expect(res.body.updated_at > org.updated_at).toBe(true);
    expect((await call(`/v1/organizations/${org.id}`, { token: t.token })).body).toEqual(res.body);
  });

  it("clears vat_number and address with null, and drops the VAT warning", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, SEED.organization);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body: { vat_number: null, address: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ vat_number: null, address: null, name: "Mairie de Lyon", siret: "21690123400019" });
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: "siret_checksum_failed", param: "siret" })]);
    expect((await call(`/v1/organizations/${org.id}`, { token: t.token })).body).toMatchObject({ vat_number: null, address: null });
  });

  it("re-derives siren when siret changes, and re-checks the VAT number against it", async () => {
    const t = await createPartner();
    const org = await createOrganization(t.token, VALID_ORGANIZATION);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body: { siret: OTHER_SIRET } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ siret: OTHER_SIRET, siren: "732829320", vat_number: "FR03552081317" });
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: "vat_number_siren_mismatch", param: "vat_number" })]);
    expect((await call(`/v1/organizations/${org.id}`, { token: t.token })).body).toMatchObject({ siren: "732829320" });
  });

  it("refuses in live mode a SIRET whose checksum fails, and changes nothing", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const org = await createOrganization(live, VALID_ORGANIZATION);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: live, body: { siret: SEED.organization.siret } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_siret", param: "siret" });
    expect((await call(`/v1/organizations/${org.id}`, { token: live })).body).toEqual(org);
  });

  it.each([
    { case: "an empty body", body: {} },
    { case: "the same values", body: { name: "Mairie de Lyon", vat_number: "FR21216901234" } },
  ])("returns the organization unchanged for $case and writes no audit entry", async ({ body }) => {
    const t = await createPartner();
    const org = await createOrganization(t.token, SEED.organization);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(org);
    expect((await auditTrail(t, org.id, "updated")).pagination.total_items).toBe(0);
    expect((await auditTrail(t, org.id, "created")).pagination.total_items).toBe(1);
  });

  it.each([
    { case: "an http logo URL", body: { branding: { logo_url: "http://www.lyon.fr/logo.svg" } }, code: "invalid_parameter", param: "branding.logo_url" },
    { case: "a bad colour", body: { branding: { primary_color: "#GGGGGG" } }, code: "invalid_parameter", param: "branding.primary_color" },
    { case: "a 13-digit SIRET", body: { siret: "2169012340001" }, code: "invalid_siret", param: "siret" },
    { case: "an unknown field (siren is derived)", body: { siren: "216901234" }, code: "invalid_parameter", param: "siren" },
  ])("refuses $case with 400 param $param", async ({ body, code, param }) => {
    const t = await createPartner();
    const org = await createOrganization(t.token, SEED.organization);
    const res = await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: t.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code, param });
  });

  it.each(["nope", "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"])("answers 404 resource_missing for id %s", async (id) => {
    const t = await createPartner();
    const res = await call(`/v1/organizations/${id}`, { method: "PATCH", token: t.token, body: { name: "X" } });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });
});
