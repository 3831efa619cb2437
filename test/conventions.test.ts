import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  accessToken,
  adminHeaders,
  call,
  createPartner,
  expectOk,
  issueCredential,
  SEED,
  VALID_ORGANIZATION,
  type CallOptions,
  type CallResult,
} from "./helpers/harness";
import { requestFingerprint } from "../src/middleware/idempotency";

/**
 * DESIGN.md §3, as a user of the API sees it: the error envelope, request ids, body checks,
 * idempotency, rate limits, revocation, Server-Timing, livemode isolation and unknown routes.
 * Every test makes its own partner.
 */

const ONE_MB = 1024 * 1024;

/** Rows a partner owns that a refused request must not have added. */
async function writtenRows(partnerId: string) {
  const row = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM organizations WHERE partner_id = ?1) AS organizations,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs`,
  )
    .bind(partnerId)
    .first<{ organizations: number; audit_logs: number }>();
  return row!;
}

/** Asserts the error envelope: status, code, optional type/param, and request_id = X-Request-Id. */
function expectError(res: CallResult, status: number, code: string, extra: { type?: string; param?: string } = {}) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ code, ...extra });
  expect(typeof res.body.error.message).toBe("string");
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

function createOrganization(token: string, body: unknown = SEED.organization, headers: Record<string, string> = {}) {
  return call("/v1/organizations", { token, body, headers });
}

/** Runs `total` calls, `size` at a time, in order of batches. */
async function inBatches(total: number, size: number, run: (i: number) => Promise<CallResult>) {
  const results: CallResult[] = [];
  for (let start = 0; start < total; start += size) {
    const batch = Array.from({ length: Math.min(size, total - start) }, (_, j) => run(start + j));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

/** Rate-limit windows are whole minutes: start a counting test with enough of the minute left. */
async function awaitRoomInWindow(seconds = 5) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe("error envelope and request ids", () => {
  it("has type, code, message, param, details and a request_id equal to X-Request-Id", async () => {
    const t = await createPartner();
    const res = await createOrganization(t.token, { ...SEED.organization, siret: undefined });
    expectError(res, 400, "invalid_parameter", { type: "invalid_request_error", param: "siret" });
    expect(Object.keys(res.body).sort()).toEqual(["error"]);
    expect(Object.keys(res.body.error).sort()).toEqual(["code", "details", "message", "param", "request_id", "type"]);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ param: "siret" }));
    expect(res.body.error.request_id).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("echoes a sane client X-Request-Id, on errors and on successes", async () => {
    const t = await createPartner();
    const failed = await call("/v1/organizations/org-nope", { token: t.token, headers: { "x-request-id": "my-req-12345678" } });
    expectError(failed, 404, "resource_missing");
    expect(failed.body.error.request_id).toBe("my-req-12345678");

    const ok = await call("/v1/organizations", { token: t.token, headers: { "x-request-id": "my-req-87654321" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("my-req-87654321");
  });

  it.each([
    ["with spaces", "my request id 1234"],
    ["300 characters long", "r".repeat(300)],
  ])("replaces an insane client X-Request-Id (%s) with a generated one", async (_label, given) => {
    const res = await call("/nope", { headers: { "x-request-id": given } });
    expectError(res, 404, "route_not_found");
    expect(res.body.error.request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.body.error.request_id).not.toBe(given);
  });

  it.each([
    ["markup", "<script>alert(1)</script>"],
    ["a tab and spaces", "req\tid with spaces 42"],
    ["a quote and a semicolon", `abc";DROP TABLE x;--`],
    ["an encoded line break", "abc%0d%0aSet-Cookie:x=1"],
    ["too short", "r-1234"],
    ["300 characters", "r".repeat(300)],
  ])("never writes an insane client X-Request-Id (%s) into the audit trail: the minted one is kept", async (_label, given) => {
    const t = await createPartner();
    const res = await createOrganization(t.token, SEED.organization, { "x-request-id": given });
    expect(res.status, res.text).toBe(201);
    const minted = res.headers.get("x-request-id");
    expect(minted).toMatch(/^req_[0-9a-f]{32}$/);
    const audit = await env.DB.prepare("SELECT request_id FROM audit_logs WHERE partner_id = ? AND resource_id = ?").bind(t.partnerId, res.body.id).all<{ request_id: string }>();
    expect(audit.results).toEqual([{ request_id: minted }]);
  });

  it("keeps a sane one (letters, digits, . _ : -, 8 to 128 characters) in the audit trail", async () => {
    const t = await createPartner();
    const given = "order-42:retry_1.a";
    const res = await createOrganization(t.token, SEED.organization, { "x-request-id": given });
    expect(res.headers.get("x-request-id")).toBe(given);
    const audit = await env.DB.prepare("SELECT request_id FROM audit_logs WHERE partner_id = ? AND resource_id = ?").bind(t.partnerId, res.body.id).all<{ request_id: string }>();
    expect(audit.results).toEqual([{ request_id: given }]);
  });
});

describe("request bodies on POST /v1/organizations", () => {
  /** Sends a bad request, checks it is refused without a 5xx, and that nothing was written. */
  async function refusedWithoutWrites(options: (token: string) => CallOptions) {
    const t = await createPartner();
    const before = await writtenRows(t.partnerId);
    const res = await call("/v1/organizations", { method: "POST", ...options(t.token) });
    expect(res.status, res.text).toBeLessThan(500);
    expect(await writtenRows(t.partnerId)).toEqual(before);
    return res;
  }

  it("malformed JSON → 400 invalid_json", async () => {
    const res = await refusedWithoutWrites((token) => ({
      token,
      rawBody: '{"type": "company", "name": ',
      headers: { "content-type": "application/json" },
    }));
    expectError(res, 400, "invalid_json", { type: "invalid_request_error" });
  });

  it("text/plain with a JSON-looking body → 415 unsupported_media_type", async () => {
    const res = await refusedWithoutWrites((token) => ({
      token,
      rawBody: JSON.stringify(SEED.organization),
      headers: { "content-type": "text/plain" },
    }));
    expectError(res, 415, "unsupported_media_type", { type: "invalid_request_error" });
  });

  it("a body over 1 MB → 413 body_too_large", async () => {
    const res = await refusedWithoutWrites((token) => ({
      token,
      rawBody: JSON.stringify({ ...SEED.organization, name: "x".repeat(ONE_MB + 1) }),
      headers: { "content-type": "application/json" },
    }));
    expectError(res, 413, "body_too_large", { type: "invalid_request_error" });
  });

  it("an unknown field is named in param", async () => {
    const res = await refusedWithoutWrites((token) => ({ token, body: { ...SEED.organization, siert: "21690123400019" } }));
    expectError(res, 400, "invalid_parameter", { type: "invalid_request_error", param: "siert" });
  });

  it("a missing required field is named in param and message", async () => {
    const { name: _name, ...withoutName } = SEED.organization;
    const res = await refusedWithoutWrites((token) => ({ token, body: withoutName }));
    expectError(res, 400, "invalid_parameter", { param: "name" });
    expect(res.body.error.message).toContain("name");
  });

  it("a bad nested field is named by its dotted path", async () => {
    const res = await refusedWithoutWrites((token) => ({
      token,
      body: { ...SEED.organization, address: { ...SEED.organization.address, country: "France" } },
    }));
    expectError(res, 400, "invalid_parameter", { param: "address.country" });
  });
});

describe("idempotency", () => {
  it.each(["Idempotency-Key", "X-Idempotency-Key"])("%s: same key and body replays the first response", async (header) => {
    const t = await createPartner();
    const first = await createOrganization(t.token, SEED.organization, { [header]: "order-4711" });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await createOrganization(t.token, SEED.organization, { [header]: "order-4711" });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await writtenRows(t.partnerId)).organizations).toBe(1);
  });

  it("same key, other body → 422 idempotency_key_reused, nothing written", async () => {
    const t = await createPartner();
    await expectOk(await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "k-body" }), 201);
    const before = await writtenRows(t.partnerId);
    const res = await createOrganization(t.token, { ...SEED.organization, name: "Mairie de Lyon (bis)" }, { "Idempotency-Key": "k-body" });
    expectError(res, 422, "idempotency_key_reused", { type: "idempotency_error", param: "Idempotency-Key" });
    expect(await writtenRows(t.partnerId)).toEqual(before);
  });

  it("same key on another path → 422 idempotency_key_reused", async () => {
    const t = await createPartner();
    const org = await expectOk(await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "k-path" }), 201);
    const res = await call(`/v1/organizations/${org.id}/departments`, {
      token: t.token,
      body: SEED.department,
      headers: { "Idempotency-Key": "k-path" },
    });
    expectError(res, 422, "idempotency_key_reused", { type: "idempotency_error" });
  });

  it("keys are per partner: another partner's same key gets its own result", async () => {
    const a = await createPartner();
    const b = await createPartner();
    const fromA = await expectOk(await createOrganization(a.token, SEED.organization, { "Idempotency-Key": "shared-key" }), 201);
    const res = await createOrganization(b.token, SEED.organization, { "Idempotency-Key": "shared-key" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(res.body.id).not.toBe(fromA.id);
    expect((await writtenRows(b.partnerId)).organizations).toBe(1);
  });

  it("keys are per mode: the same key in live mode gets its own result", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const inTest = await expectOk(await createOrganization(t.token, VALID_ORGANIZATION, { "Idempotency-Key": "mode-key" }), 201);
    const res = await createOrganization(live, VALID_ORGANIZATION, { "Idempotency-Key": "mode-key" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(res.body.livemode).toBe(true);
    expect(res.body.id).not.toBe(inTest.id);
    expect((await writtenRows(t.partnerId)).organizations).toBe(2);
  });

  it("a request refused by validation releases its key for the corrected retry", async () => {
    const t = await createPartner();
    const bad = await createOrganization(t.token, { ...SEED.organization, siert: "x" }, { "Idempotency-Key": "fix-and-retry" });
    expectError(bad, 400, "invalid_parameter", { param: "siert" });
    const fixed = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "fix-and-retry" });
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
    expect((await writtenRows(t.partnerId)).organizations).toBe(1);
  });

  it("concurrent identical requests: one runs, the others get 409 in progress or the replay", async () => {
    const t = await createPartner();
    const results = await Promise.all(
      Array.from({ length: 15 }, () => createOrganization(t.token, SEED.organization, { "Idempotency-Key": "burst" })),
    );
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    const originals = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null);
    expect(originals).toHaveLength(1);
    for (const r of results) {
      if (r === originals[0]) continue;
      if (r.status === 409) {
        expectError(r, 409, "idempotency_request_in_progress", { type: "idempotency_error", param: "Idempotency-Key" });
      } else {
        expect(r.status, r.text).toBe(201);
        expect(r.headers.get("idempotent-replayed")).toBe("true");
        expect(r.body).toEqual(originals[0]!.body);
      }
    }
    expect((await writtenRows(t.partnerId)).organizations).toBe(1);

    const after = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "burst" });
    expect(after.headers.get("idempotent-replayed")).toBe("true");
    expect(after.body).toEqual(originals[0]!.body);
  });

  it("an expired key is treated as new", async () => {
    const t = await createPartner();
    const first = await expectOk(await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "old-key" }), 201);
    const expired = await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE partner_id = ? AND key = ?")
      .bind("2000-01-01T00:00:00.000Z", t.partnerId, "old-key")
      .run();
    expect(expired.meta.changes).toBe(1);

    const res = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "old-key" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(res.body.id).not.toBe(first.id);
    expect((await writtenRows(t.partnerId)).organizations).toBe(2);
  });

  it("a key in flight is never taken over, however old: 409 and no second organization, until it expires", async () => {
    const t = await createPartner();
    const requestHash = await requestFingerprint(env.ENCRYPTION_KEY, "POST /v1/organizations", new TextEncoder().encode(JSON.stringify(SEED.organization)));
    // A row in flight is written only by a batch that did the work: its completion was lost, not its work.
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (partner_id, livemode, organization_id, key, claim_id, request_hash, status, created_at, expires_at) VALUES (?, 0, '', ?, 'claim-whose-completion-was-lost', ?, 'in_flight', ?, ?)",
    )
      .bind(t.partnerId, "stuck", requestHash, new Date(Date.now() - 3_600_000).toISOString(), new Date(Date.now() + 3_600_000).toISOString())
      .run();
    expectError(await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "stuck" }), 409, "idempotency_request_in_progress");
    expect((await writtenRows(t.partnerId)).organizations).toBe(0);

    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE partner_id = ? AND key = 'stuck'")
      .bind(new Date(Date.now() - 1000).toISOString(), t.partnerId)
      .run();
    const res = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "stuck" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect((await writtenRows(t.partnerId)).organizations).toBe(1);
  });

  it("an unknown query parameter is refused before the key is looked at: 400 naming it, the key's result untouched", async () => {
    const t = await createPartner();
    const first = await expectOk(await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "k-query" }), 201);
    const res = await call("/v1/organizations?expand=none", { token: t.token, body: SEED.organization, headers: { "Idempotency-Key": "k-query" } });
    expectError(res, 400, "invalid_parameter", { type: "invalid_request_error", param: "expand" });
    const again = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "k-query" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first);
  });

  it("an invalid key → 400 naming Idempotency-Key, nothing written", async () => {
    const t = await createPartner();
    const before = await writtenRows(t.partnerId);
    const res = await createOrganization(t.token, SEED.organization, { "Idempotency-Key": "k".repeat(300) });
    expectError(res, 400, "invalid_idempotency_key", { type: "invalid_request_error", param: "Idempotency-Key" });
    expect(await writtenRows(t.partnerId)).toEqual(before);
  });

  it("a replayed error is the first one, its request_id naming the replaying request (found by test/fuzz)", async () => {
    const t = await createPartner();
    const send = () =>
      call("/v1/organizations/org-00000000-0000-0000-0000-000000000000/departments", { token: t.token, body: SEED.department, headers: { "Idempotency-Key": "k-404" } });
    const first = await send();
    expectError(first, 404, "resource_missing");
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expectError(again, 404, "resource_missing");
    expect(again.body.error.request_id).not.toBe(first.body.error.request_id);
    const { request_id: _first, ...firstRest } = first.body.error;
    const { request_id: _again, ...againRest } = again.body.error;
    expect(againRest).toEqual(firstRest);
  });
});

describe("rate limits", () => {
  const list = (token: string) => call("/v1/organizations", { token });

  it("business (default): 1000/min, Remaining down by one per request, Reset at the end of the minute", async () => {
    const t = await createPartner();
    await awaitRoomInWindow();
    const before = Date.now();
    const results: CallResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await list(t.token));
    const after = Date.now();

    for (const r of results) expect(r.headers.get("x-ratelimit-limit")).toBe("1000");
    expect(results.map((r) => Number(r.headers.get("x-ratelimit-remaining")))).toEqual([999, 998, 997, 996, 995]);
    const resets = new Set(results.map((r) => r.headers.get("x-ratelimit-reset")));
    expect(resets.size).toBe(1);
    const reset = Number([...resets][0]);
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset % 60).toBe(0);
    expect(reset * 1000).toBeGreaterThan(before);
    expect(reset * 1000).toBeLessThanOrEqual(after + 60_000);
  });

  it("standard: 100 requests pass, the 101st is 429 with Retry-After, and a refused POST writes nothing", async () => {
    const t = await createPartner({ plan: "standard" });
    await awaitRoomInWindow();
    const passed = await inBatches(100, 10, () => list(t.token));
    expect(passed.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(passed.every((r) => r.headers.get("x-ratelimit-limit") === "100")).toBe(true);

    const refused = await list(t.token);
    expectError(refused, 429, "rate_limit_exceeded", { type: "rate_limit_error" });
    const retryAfter = refused.headers.get("retry-after");
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.headers.get("x-ratelimit-limit")).toBe("100");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");

    const before = await writtenRows(t.partnerId);
    const post = await createOrganization(t.token);
    expectError(post, 429, "rate_limit_exceeded", { type: "rate_limit_error" });
    expect(await writtenRows(t.partnerId)).toEqual(before);
  });

  it("enterprise: no X-RateLimit headers and no 429 after 150 requests", async () => {
    const t = await createPartner({ plan: "enterprise" });
    const results = await inBatches(150, 10, () => list(t.token));
    expect(results.map((r) => r.status)).toEqual(Array(150).fill(200));
    for (const r of results) {
      expect(r.headers.get("x-ratelimit-limit")).toBeNull();
      expect(r.headers.get("x-ratelimit-remaining")).toBeNull();
      expect(r.headers.get("x-ratelimit-reset")).toBeNull();
    }
  });

  it("a plan change through the admin API applies to the next request", async () => {
    const t = await createPartner();
    await awaitRoomInWindow();
    expect((await list(t.token)).headers.get("x-ratelimit-limit")).toBe("1000");
    const patched = await call(`/v1/admin/partners/${t.partnerId}`, { method: "PATCH", headers: adminHeaders(), body: { plan: "standard" } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.plan).toBe("standard");
    const next = await list(t.token);
    expect(next.headers.get("x-ratelimit-limit")).toBe("100");
    expect(next.headers.get("x-ratelimit-remaining")).toBe("98");
  });

  it("is per partner: B is unaffected by A's 429", async () => {
    const a = await createPartner({ plan: "standard" });
    const b = await createPartner({ plan: "standard" });
    await awaitRoomInWindow();
    await inBatches(100, 10, () => list(a.token));
    expectError(await list(a.token), 429, "rate_limit_exceeded");

    const fromB = await list(b.token);
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get("x-ratelimit-remaining")).toBe("99");
  });

  it("is per mode: 120 calls over two test keys and one live key never throttle the live key", async () => {
    const t = await createPartner({ plan: "standard" });
    const otherTest = await accessToken(await issueCredential(t.partnerId, "test"));
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const tokens = [t.token, otherTest, live];
    await awaitRoomInWindow(15);
    // Interleaved, in order: 80 test calls and 40 live calls, 120 in all (above the plan's 100).
    const results = await inBatches(120, 3, (i) => list(tokens[i % 3]!));
    expect(results.map((r) => r.status)).toEqual(Array(120).fill(200));
    const liveResults = results.filter((_, i) => i % 3 === 2);
    const testResults = results.filter((_, i) => i % 3 !== 2);
    expect(liveResults.every((r) => r.headers.get("x-ratelimit-limit") === "100")).toBe(true);
    expect(Math.min(...liveResults.map((r) => Number(r.headers.get("x-ratelimit-remaining"))))).toBe(60);
    expect(Math.min(...testResults.map((r) => Number(r.headers.get("x-ratelimit-remaining"))))).toBe(20);

    // The test window runs out: test calls are refused, the live key still has its own budget.
    await inBatches(20, 10, (i) => list(tokens[i % 2]!));
    expectError(await list(otherTest), 429, "rate_limit_exceeded");
    const fromLive = await list(live);
    expect(fromLive.status, fromLive.text).toBe(200);
    expect(fromLive.headers.get("x-ratelimit-remaining")).toBe("59");
    expect(fromLive.headers.get("x-ratelimit-reset")).toBe(results[0]!.headers.get("x-ratelimit-reset"));
  });
});

describe("revocation", () => {
  it("stops the secret key and tokens minted before at once; other credentials keep working", async () => {
    const t = await createPartner();
    const cred = t.credential;
    const other = await issueCredential(t.partnerId, "test");
    const otherToken = await accessToken(other);
    const asSecretKey = { token: cred.secret_key };
    const asApiKey = { headers: { "x-api-key": `${cred.publishable_key}:${cred.secret_key}` } };
    // Used once before the revocation, so any per-isolate key cache holds them.
    for (const auth of [{ token: t.token }, asSecretKey, asApiKey]) {
      expect((await call("/v1/organizations", auth)).status).toBe(200);
    }

    const revoked = await call(`/v1/admin/partners/${t.partnerId}/credentials/${cred.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.status).toBe("revoked");

    for (const auth of [{ token: t.token }, asSecretKey, asApiKey]) {
      const res = await call("/v1/organizations", auth);
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.type).toBe("authentication_error");
      expect(["credentials_revoked", "invalid_api_key"]).toContain(res.body.error.code);
    }
    const before = await writtenRows(t.partnerId);
    expectError(await createOrganization(t.token), 401, "credentials_revoked", { type: "authentication_error" });
    expect(await writtenRows(t.partnerId)).toEqual(before);

    expect((await call("/v1/organizations", { token: otherToken })).status).toBe(200);
    expect((await call("/v1/organizations", { token: other.secret_key })).status).toBe(200);
  });

  it("the token endpoint refuses the revoked client with 401 invalid_client", async () => {
    const t = await createPartner();
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${t.credential.id}`, { method: "DELETE", headers: adminHeaders() }));
    const res = await call("/v1/auth/token", {
      body: { grant_type: "client_credentials", client_id: t.credential.client_id, client_secret: t.credential.client_secret },
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });
});

describe("Server-Timing", () => {
  function timings(res: CallResult) {
    const header = res.headers.get("server-timing") ?? "";
    return [...header.matchAll(/([\w-]+);desc="([^"]*)";dur=([\d.]+)/g)].map(([, name, desc, dur]) => ({ name, desc, dur }));
  }

  it("an authenticated read: d1-1, the gate in parallel, exactly 1 sequential round trip", async () => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: t.token });
    expect(res.status).toBe(200);
    const entries = timings(res);
    expect(entries.map((e) => e.name)).toContain("d1-1");
    expect(entries.find((e) => e.name === "gate")?.desc).toMatch(/\(parallel\)$/);
    expect(res.headers.get("server-timing")).toMatch(/(^|, )storage;desc="sequential round trips";dur=1$/);
  });

  it("a write waits for the gate: it is sequential, with one D1 batch (2 sequential round trips)", async () => {
    const t = await createPartner();
    const res = await createOrganization(t.token);
    expect(res.status).toBe(201);
    const entries = timings(res);
    const gate = entries.find((e) => e.name === "gate");
    expect(gate?.desc).toBe("rate limit + revocation");
    expect(entries.find((e) => e.name === "d1-1")?.desc).toMatch(/^batch\(\d+\)$/);
    expect(entries.find((e) => e.name === "storage")).toEqual({ name: "storage", desc: "sequential round trips", dur: "2" });
  });
});

describe("livemode isolation", () => {
  it("live and test objects are invisible to each other's credentials", async () => {
    const t = await createPartner();
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    const liveOrg = await expectOk(await createOrganization(live, VALID_ORGANIZATION), 201);
    const testOrg = await expectOk(await createOrganization(t.token, SEED.organization), 201);
    expect(liveOrg.livemode).toBe(true);
    expect(testOrg.livemode).toBe(false);

    expectError(await call(`/v1/organizations/${liveOrg.id}`, { token: t.token }), 404, "resource_missing", { type: "not_found_error" });
    expectError(await call(`/v1/organizations/${testOrg.id}`, { token: live }), 404, "resource_missing", { type: "not_found_error" });
    expect((await call(`/v1/organizations/${liveOrg.id}`, { token: live })).status).toBe(200);

    const testList = await expectOk(await call("/v1/organizations", { token: t.token }));
    const liveList = await expectOk(await call("/v1/organizations", { token: live }));
    expect(testList.data.map((o: { id: string }) => o.id)).toEqual([testOrg.id]);
    expect(liveList.data.map((o: { id: string }) => o.id)).toEqual([liveOrg.id]);
  });
});

describe("unknown routes", () => {
  it("GET /nope at the root → 404 route_not_found, without param or details", async () => {
    const res = await call("/nope");
    expectError(res, 404, "route_not_found", { type: "not_found_error" });
    expect(Object.keys(res.body.error).sort()).toEqual(["code", "message", "request_id", "type"]);
  });

  it("an unknown /v1 path without credentials → 401 missing_credentials", async () => {
    expectError(await call("/v1/nope"), 401, "missing_credentials", { type: "authentication_error" });
  });

  it("an unknown /v1 path with credentials → 404 route_not_found", async () => {
    const t = await createPartner();
    expectError(await call("/v1/nope", { token: t.token }), 404, "route_not_found", { type: "not_found_error" });
  });
});
