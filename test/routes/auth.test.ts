import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { decodeJwt, SignJWT } from "jose";
import { sha256Hex } from "../../src/lib/crypto";
import { accessToken, adminHeaders, call, createPartner, expectOk, issueCredential, type Tenant } from "../helpers/harness";

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

/** An address of its own per test: throttle buckets outlive a test. */
function freshIp() {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

function tokenRequest(client_id: string, client_secret: string, ip?: string) {
  return call("/v1/auth/token", { body: { grant_type: "client_credentials", client_id, client_secret }, headers: ip ? { "cf-connecting-ip": ip } : {} });
}

function expectThrottled(res: Awaited<ReturnType<typeof call>>, maxSeconds: number) {
  expect(res.status, res.text).toBe(429);
  const wait = Number(res.headers.get("retry-after"));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(maxSeconds);
  return wait;
}

describe("POST /v1/auth/token throttles failed client authentications", () => {
  it("per client_id: 10 wrong secrets a minute, then every attempt → 429 invalid_client with Retry-After (the right secret too); other clients unaffected", async () => {
    const t = await createPartner();
    const other = await createPartner();
    const { client_id, client_secret } = t.credential;
    for (let i = 0; i < 10; i++) {
      const res = await tokenRequest(client_id, `cs_test_wrong${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
      expect(res.body.error).toBe("invalid_client");
    }
    const blocked = await tokenRequest(client_id, "cs_test_wrong");
    expectThrottled(blocked, 60);
    // RFC 6749 §5.2 body, which OAuth clients parse; the status and Retry-After say "wait".
    expect(blocked.body).toEqual({ error: "invalid_client", error_description: expect.stringMatching(/^Too many failed client authentications .* try again in \d+ s\.$/) });
    expect(blocked.headers.get("cache-control")).toBe("no-store");
    expectThrottled(await tokenRequest(client_id, client_secret), 60);
    expect((await tokenRequest(other.credential.client_id, other.credential.client_secret)).status).toBe(200);
    // Tokens already issued and API keys keep working: the throttle is on the token endpoint only.
    expect((await call("/v1/organizations", { token: t.token })).status).toBe(200);
    expect((await call("/v1/organizations", { headers: { authorization: `Bearer ${t.credential.secret_key}` } })).status).toBe(200);
  });

  it("when the window ends the client is taken again, and the bucket keeps no storage", async () => {
    const t = await createPartner();
    const { client_id, client_secret } = t.credential;
    for (let i = 0; i < 10; i++) await tokenRequest(client_id, "cs_test_wrong");
    expectThrottled(await tokenRequest(client_id, client_secret), 60);
    // The window's end, brought forward: its alarm clears the bucket.
    const stub = env.AUTH_THROTTLE.getByName(await sha256Hex(`token:client:${client_id}`));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'failure_window'").toArray())).toEqual([]);
    expect((await tokenRequest(client_id, client_secret)).status).toBe(200);
  });

  it("successful requests are never counted", async () => {
    const t = await createPartner();
    const { client_id, client_secret } = t.credential;
    for (let i = 0; i < 15; i++) expect((await tokenRequest(client_id, client_secret)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await tokenRequest(client_id, "cs_test_wrong")).status).toBe(401);
    expect((await tokenRequest(client_id, client_secret)).status).toBe(200);
  });

  it("malformed requests (no secret, unsupported grant) are refused without being counted", async () => {
    const t = await createPartner();
    for (let i = 0; i < 12; i++) {
      expect((await call("/v1/auth/token", { body: { grant_type: "client_credentials", client_id: t.credential.client_id } })).status).toBe(400);
    }
    expect((await tokenRequest(t.credential.client_id, t.credential.client_secret)).status).toBe(200);
  });

  it("per IP: 30 failures a minute over any client_ids, then that address is refused (429); another address is not", async () => {
    const t = await createPartner();
    const ip = freshIp();
    for (let i = 0; i < 30; i++) expect((await tokenRequest(`cli_test_nobody${i}`, "cs_test_x", ip)).status).toBe(401);
    expectThrottled(await tokenRequest(t.credential.client_id, t.credential.client_secret, ip), 60);
    expect((await tokenRequest(t.credential.client_id, t.credential.client_secret, freshIp())).status).toBe(200);
  });

  it("the 429 is documented on the operation, with Retry-After", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    const op = doc.paths["/v1/auth/token"].post;
    expect(op.responses["429"].content["application/json"].schema.$ref).toBe("#/components/schemas/OAuthError");
    expect(op.responses["429"].headers["Retry-After"]).toBeDefined();
  });
});

describe("access tokens", () => {
  /** A token signed with the worker's own JWT_SECRET, as /v1/auth/token would sign it, with `exp` or without. */
  async function forgeToken(t: Tenant, withExp: boolean) {
    const iat = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ cid: t.credential.id, mode: "test", plan: "business", scope: "partner" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer("paiements-api")
      .setAudience("paiements-api/v1")
      .setSubject(t.partnerId)
      .setIssuedAt(iat);
    if (withExp) jwt.setExpirationTime(iat + 600);
    return jwt.sign(new TextEncoder().encode(env.JWT_SECRET));
  }

  it("a token without exp is refused (401 invalid_token), though signed with the right key; the same with exp works", async () => {
    const t = await createPartner();
    expect((await call("/v1/organizations", { token: await forgeToken(t, true) })).status).toBe(200);
    const res = await call("/v1/organizations", { token: await forgeToken(t, false) });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "invalid_token", type: "authentication_error" });
  });

  it("the tokens /v1/auth/token issues carry exp, one hour after iat", async () => {
    const t = await createPartner();
    const claims = decodeJwt(t.token);
    expect(claims.exp! - claims.iat!).toBe(3600);
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

  it.each([
    ["X-API-Key", (v: string) => ({ "x-api-key": v })],
    ["Authorization: Bearer", (v: string) => ({ authorization: `Bearer ${v}` })],
  ])("refuse anything after the key pair in %s (pk_…:sk_…:anything → 401 malformed_api_key)", async (_label, header) => {
    const t = await createPartner();
    const { publishable_key: pk, secret_key: sk } = t.credential;
    expect((await call("/v1/organizations", { headers: header(`${pk}:${sk}`) })).status).toBe(200);
    for (const value of [`${pk}:${sk}:anything`, `${pk}:${sk}:`, `${pk}:${sk}:${sk}`, `${sk}:`, `${pk}::${sk}`]) {
      const res = await call("/v1/organizations", { headers: header(value) });
      expect(res.status, value).toBe(401);
      expect(res.body.error.code, value).toBe("malformed_api_key");
    }
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

  it("throttles wrong keys per address: 10 in 10 minutes, then 429 too_many_failed_attempts with Retry-After, the right key included", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      const res = await call("/v1/admin/partners", { headers: { authorization: `Bearer wrong-${i}`, "cf-connecting-ip": ip }, body: { name: "X" } });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const blocked = await call("/v1/admin/partners", { headers: { ...adminHeaders(), "cf-connecting-ip": ip }, body: { name: "Throttled operator" } });
    expectThrottled(blocked, 600);
    expect(blocked.body.error).toMatchObject({ type: "rate_limit_error", code: "too_many_failed_attempts", request_id: blocked.headers.get("x-request-id") });
    const partners = await env.DB.prepare("SELECT count(*) AS n FROM partners WHERE name = 'Throttled operator'").first<{ n: number }>();
    expect(partners!.n).toBe(0);
    // The operator, from another address, is not held up.
    expect((await call("/v1/admin/partners", { headers: { ...adminHeaders(), "cf-connecting-ip": freshIp() }, body: { name: "X" } })).status).toBe(201);
  });

  it("a request with no Authorization header guesses nothing and is not counted", async () => {
    const ip = freshIp();
    for (let i = 0; i < 12; i++) expect((await call("/v1/admin/partners/ptn-nope", { headers: { "cf-connecting-ip": ip } })).status).toBe(401);
    expect((await call("/v1/admin/partners/ptn-nope", { headers: { ...adminHeaders(), "cf-connecting-ip": ip } })).status).toBe(404);
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
