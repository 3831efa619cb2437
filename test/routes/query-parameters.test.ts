import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, call, createPartner, expectOk, SEED, VALID_ORGANIZATION, type CallResult } from "../helpers/harness";
import { concretePath, fixtureWorld, portableBody, quiesce } from "../helpers/world";

/**
 * Issue 10 §6: query parameters are checked like bodies. A parameter the operation does not
 * declare is refused with 400 `invalid_parameter` naming it (with the right name suggested when
 * it is a known spelling of one), on every operation of the document; nothing is written.
 * The OAuth token endpoint is the exception: RFC 6749 §3.2 says it MUST ignore unrecognized
 * parameters.
 */

function expectUnknown(res: CallResult, param: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_parameter", param });
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

describe("seed 002: GET /v1/payments?fromDate=…&invoiceId=…", () => {
  it("answers 400 naming fromDate, suggesting from_date, and lists invoiceId → invoice_id too (not 200 unfiltered)", async () => {
    const t = await createPartner();
    const w = await fixtureWorld(t);
    const res = await call(`/v1/payments?fromDate=2026-01-01&invoiceId=${w.issued.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } });
    expectUnknown(res, "fromDate");
    expect(res.body.error.message).toContain("from_date");
    expect(res.body.error.details).toEqual([
      { param: "fromDate", code: "unknown_parameter", message: expect.stringContaining("did you mean 'from_date'?") },
      { param: "invoiceId", code: "unknown_parameter", message: expect.stringContaining("did you mean 'invoice_id'?") },
    ]);

    const right = await expectOk(await call(`/v1/payments?from_date=2026-01-01&invoice_id=${w.issued.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(right.data.map((p: { invoice_id: string }) => p.invoice_id)).toEqual([w.issued.id]);
  });

  it.each([
    ["pageSize", "page_size"],
    ["page-size", "page_size"],
    ["PAGE", "page"],
    ["page[]", "page"],
    ["per_page", "page_size"],
    ["toDate", "to_date"],
    ["statuss", "status"],
  ])("%s → did you mean '%s'?", async (given, suggested) => {
    const t = await createPartner();
    const res = await call(`/v1/payments?${encodeURIComponent(given)}=1`, { token: t.token, headers: { "x-entity-id": "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" } });
    expectUnknown(res, given);
    expect(res.body.error.message).toContain(`did you mean '${suggested}'?`);
  });

  it("`limit`, the documented alias of page_size, still works", async () => {
    const t = await createPartner();
    await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
    await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
    const res = await expectOk(await call("/v1/organizations?limit=1", { token: t.token }));
    expect(res.data).toHaveLength(1);
    expect(res.pagination).toMatchObject({ page_size: 1, total_items: 2 });
  });
});

describe("every operation of the document refuses an unknown query parameter", () => {
  it("400 invalid_parameter naming it, before anything is written; the token endpoint ignores it (RFC 6749 §3.2)", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    const t = await createPartner({ plan: "enterprise" });
    const w = await fixtureWorld(t);
    // The world's refund settles on its own timer: let it, so the counts below see only these requests.
    await quiesce(t.partnerId);
    // The caller's rows (work another file's objects or another test left running belongs to other
    // partners), and partners and credentials, which the admin operations would add.
    const counts = () =>
      env.DB.prepare(
        `SELECT (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) + (SELECT count(*) FROM idempotency_keys WHERE partner_id = ?1)
              + (SELECT count(*) FROM events WHERE partner_id = ?1) + (SELECT count(*) FROM partners) + (SELECT count(*) FROM credentials) AS n`,
      )
        .bind(t.partnerId)
        .first<{ n: number }>();
    const before = await counts();
    let checked = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const json = op.requestBody?.content?.["application/json"];
        const ref = json?.schema?.$ref as string | undefined;
        const example = json?.example ?? (ref ? doc.components.schemas[ref.split("/").pop()!]?.example : json?.schema?.example);
        const headers: Record<string, string> = path.startsWith("/v1/admin/") ? adminHeaders() : { authorization: `Bearer ${t.token}` };
        if ((op.parameters ?? []).some((p: any) => p.in === "header" && p.name === "x-entity-id")) headers["x-entity-id"] = w.org.id;
        headers["idempotency-key"] = `unknown-query-${op.operationId}`;
        const body = portableBody(example, w);
        const res = await call(`${concretePath(path, w)}?unknownParam=1`, { method: method.toUpperCase(), headers, ...(body !== undefined ? { body } : {}) });
        if (path === "/v1/auth/token") {
          expect(res.status, `${op.operationId}: ${res.text}`).toBe(200);
          continue;
        }
        expect(res.status, `${op.operationId}: ${res.text}`).toBe(400);
        expectUnknown(res, "unknownParam");
        expect(op.responses["400"], `${op.operationId} documents 400`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(await counts()).toEqual(before);
  });
});
