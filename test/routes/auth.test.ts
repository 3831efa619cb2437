import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential } from "../helpers/harness";

describe("POST /v1/auth/token (OAuth2 client credentials, RFC 6749)", () => {
  it("accepts seed 001's JSON body and returns a one-hour bearer token", async () => {
    const t = await createPartner();
    const res = await call("/v1/auth/token", {
      body: { grant_type: "client_credentials", client_id: t.credential.client_id, client_secret: t.credential.client_secret, scope: "partner" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600, scope: "partner" });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await call("/v1/organizations", { token: res.body.access_token })).status).toBe(200);
  });

  it("accepts a form-encoded body and HTTP Basic client authentication", async () => {
    const t = await createPartner();
    const form = await call("/v1/auth/token", {
      rawBody: new URLSearchParams({ grant_type: "client_credentials", client_id: t.credential.client_id, client_secret: t.credential.client_secret }).toString(),
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(200);
    expect(form.body.scope).toBe("partner");

    const basic = await call("/v1/auth/token", {
      rawBody: "grant_type=client_credentials",
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${t.credential.client_id}:${t.credential.client_secret}`)}`,
      },
    });
    expect(basic.status).toBe(200);
  });

  it.each([
    ["no grant_type", (c: any) => ({ client_id: c.client_id, client_secret: c.client_secret }), 400, "invalid_request"],
    ["another grant type", (c: any) => ({ grant_type: "password", client_id: c.client_id, client_secret: c.client_secret }), 400, "unsupported_grant_type"],
    ["no secret", (c: any) => ({ grant_type: "client_credentials", client_id: c.client_id }), 400, "invalid_request"],
    ["wrong secret", (c: any) => ({ grant_type: "client_credentials", client_id: c.client_id, client_secret: "cs_test_wrong" }), 401, "invalid_client"],
    ["unknown client", () => ({ grant_type: "client_credentials", client_id: "cli_test_nobody", client_secret: "x" }), 401, "invalid_client"],
    ["unknown scope", (c: any) => ({ grant_type: "client_credentials", client_id: c.client_id, client_secret: c.client_secret, scope: "partner everything" }), 400, "invalid_scope"],
    ["wrong type", (c: any) => ({ grant_type: "client_credentials", client_id: 42, client_secret: c.client_secret }), 400, "invalid_request"],
  ])("%s → %i %s (RFC 6749 §5.2 body)", async (_label, body, status, error) => {
    const t = await createPartner();
    const res = await call("/v1/auth/token", { body: body(t.credential) });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
    if (status === 401) expect(res.headers.get("www-authenticate")).toContain("Basic");
  });

  it("answers malformed JSON and other content types with invalid_request", async () => {
    const bad = await call("/v1/auth/token", { method: "POST", rawBody: "{nope", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_request");
    const xml = await call("/v1/auth/token", { method: "POST", rawBody: "<a/>", headers: { "content-type": "application/xml" } });
    expect(xml.status).toBe(400);
    expect(xml.body.error).toBe("invalid_request");
  });

  it("narrows scopes: a restricted credential gets its own, cannot ask for more, and the token is held to them", async () => {
    const t = await createPartner();
    const restricted = await issueCredential(t.partnerId, "test", ["organizations:read"]);
    const token = await call("/v1/auth/token", {
      body: { grant_type: "client_credentials", client_id: restricted.client_id, client_secret: restricted.client_secret },
    });
    expect(token.body.scope).toBe("organizations:read");
    const more = await call("/v1/auth/token", {
      body: { grant_type: "client_credentials", client_id: restricted.client_id, client_secret: restricted.client_secret, scope: "partner" },
    });
    expect(more.status).toBe(400);
    expect(more.body.error).toBe("invalid_scope");

    expect((await call("/v1/organizations", { token: token.body.access_token })).status).toBe(200);
    const write = await call("/v1/organizations", { token: token.body.access_token, body: { type: "company", name: "X", siret: "55208131766522" } });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain("organizations:write");

    // A partner-scoped client may ask for less; write implies read.
    const narrow = await accessToken(t.credential, "organizations:write");
    expect((await call("/v1/organizations", { token: narrow })).status).toBe(200);
    const audit = await call("/v1/audit_logs", { token: narrow, headers: { "x-entity-id": "org-00000000-0000-7000-8000-000000000000" } });
    expect(audit.status).toBe(403);
  });
});

describe("API keys", () => {
  it("work as 'Bearer sk_…', 'Bearer pk_…:sk_…' and 'X-API-Key: pk_…:sk_…'", async () => {
    const t = await createPartner();
    const { publishable_key: pk, secret_key: sk } = t.credential;
    for (const headers of [
      { authorization: `Bearer ${sk}` } as Record<string, string>,
      { authorization: `Bearer ${pk}:${sk}` },
      { "x-api-key": `${pk}:${sk}` },
      { "x-api-key": sk },
    ]) {
      const res = await call("/v1/organizations", { headers });
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(200);
    }
  });

  it("refuse a publishable key that is not the secret key's pair, and malformed keys", async () => {
    const a = await createPartner();
    const b = await createPartner();
    const mismatch = await call("/v1/organizations", { headers: { "x-api-key": `${b.credential.publishable_key}:${a.credential.secret_key}` } });
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.error.code).toBe("invalid_api_key");
    const malformed = await call("/v1/organizations", { headers: { "x-api-key": "pk_test_x:sk_test_tooshort" } });
    expect(malformed.status).toBe(401);
    expect(malformed.body.error.code).toBe("malformed_api_key");
  });

  it("carry their mode: a live key sees live data only", async () => {
    const t = await createPartner();
    const live = await issueCredential(t.partnerId, "live");
    expect(live.secret_key.startsWith("sk_live_")).toBe(true);
    expect(live.publishable_key.startsWith("pk_live_")).toBe(true);
    await expectOk(await call("/v1/organizations", { token: t.token, body: { type: "company", name: "Test Co", siret: "55208131766522" } }), 201);
    const liveList = await expectOk(await call("/v1/organizations", { headers: { authorization: `Bearer ${live.secret_key}` } }));
    expect(liveList.pagination.total_items).toBe(0);
  });
});

describe("admin API", () => {
  it("refuses anything but the operator key", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Basic ${btoa("a:b")}` }] as Record<string, string>[]) {
      const res = await call("/v1/admin/partners", { headers, body: { name: "X" } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_admin_key");
    }
  });

  it("creates a partner with test credentials shown once, and stores only hashes", async () => {
    const res = await call("/v1/admin/partners", { headers: adminHeaders(), body: { name: "Acme", plan: "standard" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: "partner", name: "Acme", plan: "standard" });
    const cred = res.body.credentials;
    expect(cred).toMatchObject({ mode: "test", livemode: false, scopes: ["partner"], status: "active" });
    expect(cred.client_secret).toMatch(/^cs_test_/);
    expect(cred.secret_key).toMatch(/^sk_test_/);
    expect(cred.publishable_key).toMatch(/^pk_test_/);

    const row = await env.DB.prepare("SELECT * FROM credentials WHERE id = ?").bind(cred.id).first<Record<string, string>>();
    expect(JSON.stringify(row)).not.toContain(cred.client_secret);
    expect(JSON.stringify(row)).not.toContain(cred.secret_key);

    const shown = await expectOk(await call(`/v1/admin/partners/${res.body.id}`, { headers: adminHeaders() }));
    expect(shown.credentials).toHaveLength(1);
    expect(JSON.stringify(shown)).not.toContain(cred.secret_key);
    expect(shown.credentials[0].secret_key_hint).toBe(`sk_test_…${cred.secret_key.slice(-4)}`);
  });

  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "X", plan: "gold" }, "plan"],
  ])("refuses %j naming '%s'", async (body, param) => {
    const res = await call("/v1/admin/partners", { headers: adminHeaders(), body });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("issues live credentials, revokes them idempotently, and 404s unknown ids", async () => {
    const t = await createPartner();
    const live = await issueCredential(t.partnerId, "live", ["invoices:read"]);
    expect(live).toMatchObject({ mode: "live", livemode: true, scopes: ["invoices:read"] });
    const first = await call(`/v1/admin/partners/${t.partnerId}/credentials/${live.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "revoked", revoked_at: expect.any(String) });
    const again = await call(`/v1/admin/partners/${t.partnerId}/credentials/${live.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(again.body.revoked_at).toBe(first.body.revoked_at);

    const other = await createPartner();
    const foreign = await call(`/v1/admin/partners/${other.partnerId}/credentials/${live.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(foreign.status).toBe(404);
    expect((await call("/v1/admin/partners/ptn-nope", { headers: adminHeaders() })).status).toBe(404);
    expect((await call("/v1/admin/partners/ptn-nope/credentials", { headers: adminHeaders(), body: { mode: "test" } })).status).toBe(404);
  });

  it("records operator actions in the audit trail", async () => {
    const t = await createPartner();
    const cred = await issueCredential(t.partnerId, "test");
    await call(`/v1/admin/partners/${t.partnerId}/credentials/${cred.id}`, { method: "DELETE", headers: adminHeaders() });
    const rows = await env.DB.prepare("SELECT resource_type, action, user_type FROM audit_logs WHERE partner_id = ? ORDER BY created_at, id")
      .bind(t.partnerId)
      .all();
    expect(rows.results).toEqual([
      { resource_type: "partner", action: "created", user_type: "operator" },
      { resource_type: "credential", action: "created", user_type: "operator" },
      { resource_type: "credential", action: "created", user_type: "operator" },
      { resource_type: "credential", action: "revoked", user_type: "operator" },
    ]);
  });
});
