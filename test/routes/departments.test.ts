import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type Tenant } from "../helpers/harness";

const UNKNOWN_ORG = "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
const UNKNOWN_DEPT = "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";

async function createOrganization(t: Tenant, body: Record<string, unknown> = SEED.organization) {
  return expectOk(await call("/v1/organizations", { token: t.token, body }), 201);
}

async function createDepartment(t: Tenant, orgId: string, body: Record<string, unknown> = SEED.department) {
  return expectOk(await call(`/v1/organizations/${orgId}/departments`, { token: t.token, body }), 201);
}

function ids(res: { body: { data: { id: string }[] } }) {
  return res.body.data.map((d) => d.id);
}

describe("POST /v1/organizations/{id}/departments", () => {
  it("creates the seed 001 step 4 department verbatim", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const res = await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: "department",
      livemode: false,
      organization_id: org.id,
      name: "Régie de l'Eau",
      code: "REG-EAU-001",
      description: "Gestion des factures d'eau potable",
      metadata: {},
    });
    expect(res.body.id).toMatch(/^dept-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.created_at).toBe(res.body.updated_at);
  });

  it("refuses a code already used in the same organization with 409 department_code_taken", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    await createDepartment(t, org.id);
    const res = await call(`/v1/organizations/${org.id}/departments`, {
      token: t.token,
      body: { ...SEED.department, name: "Autre régie" },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: "conflict_error", code: "department_code_taken", param: "code" });
    const list = await call(`/v1/organizations/${org.id}/departments`, { token: t.token });
    expect(list.body.pagination.total_items).toBe(1);
  });

  it("accepts the same code in another organization", async () => {
    const t = await createPartner();
    const first = await createOrganization(t);
    const second = await createOrganization(t, VALID_ORGANIZATION);
    const a = await createDepartment(t, first.id);
    const b = await createDepartment(t, second.id);
    expect(b).toMatchObject({ organization_id: second.id, code: a.code });
  });

  it.each([
    { case: "a code with a space", body: { ...SEED.department, code: "REG EAU" }, param: "code" },
    { case: "a code with an accent", body: { ...SEED.department, code: "RÉGIE-EAU" }, param: "code" },
    { case: "a code starting with '-'", body: { ...SEED.department, code: "-EAU" }, param: "code" },
    { case: "a code of 51 characters", body: { ...SEED.department, code: "A".repeat(51) }, param: "code" },
    { case: "an empty code", body: { ...SEED.department, code: "" }, param: "code" },
    { case: "a missing name", body: { code: "REG-EAU-001" }, param: "name" },
    { case: "an unknown field", body: { ...SEED.department, iban: "FR7612345678901234567890123" }, param: "iban" },
  ])("refuses $case with 400 param $param", async ({ body, param }) => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const res = await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  });

  it.each([
    { case: "a malformed organization id", orgId: async () => "nope" },
    { case: "an unknown organization id", orgId: async () => UNKNOWN_ORG },
    { case: "another partner's organization", orgId: async () => (await createOrganization(await createPartner())).id },
  ])("answers 404 resource_missing for $case", async ({ orgId }) => {
    const t = await createPartner();
    const res = await call(`/v1/organizations/${await orgId()}/departments`, { token: t.token, body: SEED.department });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("answers 404 for the same partner's organization of the other mode", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const res = await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department });
    expect(res.status).toBe(404);
  });
});

describe("GET /v1/organizations/{id}/departments", () => {
  it("lists the organization's departments only, newest first", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const other = await createOrganization(t, VALID_ORGANIZATION);
    const a = await createDepartment(t, org.id, { name: "Eau", code: "EAU" });
    await createDepartment(t, other.id, { name: "Ailleurs", code: "AILLEURS" });
    const b = await createDepartment(t, org.id, { name: "Cantines", code: "CANTINES" });
    const res = await call(`/v1/organizations/${org.id}/departments`, { token: t.token });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([b.id, a.id]);
    expect(res.body.data[1]).toEqual(a);
    expect(res.body.pagination).toEqual({ page: 1, page_size: 20, total_items: 2, total_pages: 1 });
  });

  it("pages", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const a = await createDepartment(t, org.id, { name: "Eau", code: "EAU" });
    const b = await createDepartment(t, org.id, { name: "Cantines", code: "CANTINES" });
    const first = await call(`/v1/organizations/${org.id}/departments?limit=1`, { token: t.token });
    const second = await call(`/v1/organizations/${org.id}/departments?page=2&limit=1`, { token: t.token });
    expect(ids(first)).toEqual([b.id]);
    expect(ids(second)).toEqual([a.id]);
    expect(second.body.pagination).toEqual({ page: 2, page_size: 1, total_items: 2, total_pages: 2 });
  });

  it("answers an empty page for an organization without departments", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const res = await call(`/v1/organizations/${org.id}/departments`, { token: t.token });
    expect(res.body).toEqual({ data: [], pagination: { page: 1, page_size: 20, total_items: 0, total_pages: 0 } });
  });

  it.each([
    { case: "a malformed organization id", orgId: async () => "nope" },
    { case: "an unknown organization id", orgId: async () => UNKNOWN_ORG },
    { case: "another partner's organization", orgId: async () => (await createOrganization(await createPartner())).id },
  ])("answers 404 resource_missing for $case", async ({ orgId }) => {
    const t = await createPartner();
    const res = await call(`/v1/organizations/${await orgId()}/departments`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("refuses page_size 101 with 400", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const res = await call(`/v1/organizations/${org.id}/departments?page_size=101`, { token: t.token });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_parameter", param: "page_size" });
  });
});

describe("GET /v1/organizations/{id}/departments/{dept_id}", () => {
  it("returns the department of that organization", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const dept = await createDepartment(t, org.id);
    const res = await call(`/v1/organizations/${org.id}/departments/${dept.id}`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(dept);
  });

  it("answers 404 when the department belongs to another organization of the same partner", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const other = await createOrganization(t, VALID_ORGANIZATION);
    const dept = await createDepartment(t, other.id);
    const res = await call(`/v1/organizations/${org.id}/departments/${dept.id}`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it.each(["nope", UNKNOWN_DEPT])("answers 404 for department id %s", async (deptId) => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const res = await call(`/v1/organizations/${org.id}/departments/${deptId}`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("resource_missing");
  });
});

describe("GET /v1/departments/{id}", () => {
  it("returns the department", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const dept = await createDepartment(t, org.id);
    const res = await call(`/v1/departments/${dept.id}`, { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(dept);
  });

  it.each([
    { case: "a malformed id", deptId: async () => "nope" },
    { case: "an unknown id", deptId: async () => UNKNOWN_DEPT },
    {
      case: "another partner's department",
      deptId: async () => {
        const other = await createPartner();
        return (await createDepartment(other, (await createOrganization(other)).id)).id;
      },
    },
  ])("answers 404 resource_missing for $case", async ({ deptId }) => {
    const t = await createPartner();
    const res = await call(`/v1/departments/${await deptId()}`, { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });
});

describe("PATCH /v1/departments/{id}", () => {
  it("changes only the fields sent, and null clears the description", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const dept = await createDepartment(t, org.id);
    const renamed = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body: { name: "Régie Eau et Assainissement" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ ...dept, name: "Régie Eau et Assainissement", updated_at: expect.any(String) });
    expect(renamed.body.updated_at > dept.updated_at).toBe(true);
    const cleared = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body: { description: null, code: "REG-EAU-002" } });
    expect(cleared.body).toMatchObject({ name: "Régie Eau et Assainissement", code: "REG-EAU-002", description: null });
    expect((await call(`/v1/departments/${dept.id}`, { token: t.token })).body).toEqual(cleared.body);
  });

  it("returns the department unchanged for an empty body", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const dept = await createDepartment(t, org.id);
    const res = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(dept);
  });

  it("refuses a code taken by another department of the organization with 409, and changes nothing", async () => {
    const t = await createPartner();
    const org = await createOrganization(t);
    await createDepartment(t, org.id, { name: "Eau", code: "EAU" });
    const dept = await createDepartment(t, org.id, { name: "Cantines", code: "CANTINES" });
    const res = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body: { code: "EAU" } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ type: "conflict_error", code: "department_code_taken", param: "code" });
    expect((await call(`/v1/departments/${dept.id}`, { token: t.token })).body).toEqual(dept);
  });

  it("accepts a code used in another organization", async () => {
    const t = await createPartner();
    const other = await createOrganization(t, VALID_ORGANIZATION);
    await createDepartment(t, other.id, { name: "Eau", code: "EAU" });
    const dept = await createDepartment(t, (await createOrganization(t)).id, { name: "Cantines", code: "CANTINES" });
    const res = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body: { code: "EAU" } });
    expect(res.status).toBe(200);
    expect(res.body.code).toBe("EAU");
  });

  it.each([
    { case: "a code with a slash", body: { code: "EAU/1" }, param: "code" },
    { case: "a code with a space", body: { code: "EAU 1" }, param: "code" },
    { case: "an empty name", body: { name: "  " }, param: "name" },
    { case: "organization_id (not movable)", body: { organization_id: UNKNOWN_ORG }, param: "organization_id" },
  ])("refuses $case with 400 param $param", async ({ body, param }) => {
    const t = await createPartner();
    const org = await createOrganization(t);
    const dept = await createDepartment(t, org.id);
    const res = await call(`/v1/departments/${dept.id}`, { method: "PATCH", token: t.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  });

  it.each(["nope", UNKNOWN_DEPT])("answers 404 for department id %s", async (deptId) => {
    const t = await createPartner();
    const res = await call(`/v1/departments/${deptId}`, { method: "PATCH", token: t.token, body: { name: "X" } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("resource_missing");
  });
});
