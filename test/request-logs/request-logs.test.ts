import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestLogMessage } from "../../src/services/request-logs/write-request-logs";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, type CallOptions, type Tenant } from "../helpers/harness";
import { consumeRequestLogs, loggedCall } from "../helpers/request-logs";

afterEach(() => {
  vi.restoreAllMocks();
});

type Sent = RequestLogMessage[];

/** A call whose log record goes to `sent`; the response carries the request id it was sent with. */
async function logged(sent: Sent, path: string, options: CallOptions = {}) {
  const out = await loggedCall(sent, path, options);
  expect(out.res.headers.get("x-request-id")).toBe(out.requestId);
  return out;
}

const consume = consumeRequestLogs;

async function rowsOf(requestId: string) {
  const { results } = await env.LOGS.prepare("SELECT * FROM request_logs WHERE request_id = ?").bind(requestId).all<Record<string, unknown>>();
  return results;
}

const auth = (t: Tenant) => ({ token: t.token });

describe("recording a call", () => {
  it("a call's row appears once the consumer runs: route template, path ids, status, caller, organization, idempotency", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const sent: Sent = [];
    const get = await logged(sent, `/v1/invoices/${w.invoice.id}`, { ...auth(t), headers: { "x-entity-id": w.org.id, "user-agent": `curl/8.5.0 ${"x".repeat(400)}` } });
    expect(get.res.status).toBe(200);
    const first = await logged(sent, "/v1/invoices", { ...auth(t), headers: { "x-entity-id": w.org.id, "idempotency-key": "rl-key-1" }, body: seedInvoiceBody(w.dept.id) });
    const again = await logged(sent, "/v1/invoices", { ...auth(t), headers: { "x-entity-id": w.org.id, "idempotency-key": "rl-key-1" }, body: seedInvoiceBody(w.dept.id) });
    expect([first.res.status, again.res.status]).toEqual([201, 201]);
    expect(again.res.headers.get("idempotent-replayed")).toBe("true");
    expect(sent).toHaveLength(3);
    // Nothing is written by the request itself: the log is off the request path.
    expect(await rowsOf(get.requestId)).toEqual([]);

    const run = await consume(sent);
    expect(run.explicitAcks).toEqual(["q-0", "q-1", "q-2"]);
    // A batch delivered twice (a consumer crash after the insert) writes each call once.
    await consume(sent);

    const row = await expectOk(await call(`/v1/request_logs/${get.requestId}`, auth(t)));
    expect(row).toMatchObject({
      object: "request_log",
      request_id: get.requestId,
      livemode: false,
      organization_id: w.org.id,
      credential_id: t.credential.id,
      method: "GET",
      path: "/v1/invoices/{id}",
      path_ids: { id: w.invoice.id },
      status: 200,
      idempotency_key: null,
      idempotent_replayed: false,
    });
    expect(row.user_agent).toHaveLength(256);
    expect(row.user_agent.startsWith("curl/8.5.0 ")).toBe(true);
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(row.created_at)).not.toBeNaN();

    const created = await expectOk(await call(`/v1/request_logs/${first.requestId}`, auth(t)));
    expect(created).toMatchObject({ method: "POST", path: "/v1/invoices", path_ids: {}, status: 201, idempotency_key: "rl-key-1", idempotent_replayed: false });
    const replayed = await expectOk(await call(`/v1/request_logs/${again.requestId}`, auth(t)));
    expect(replayed).toMatchObject({ status: 201, idempotency_key: "rl-key-1", idempotent_replayed: true });
    expect(await rowsOf(get.requestId)).toHaveLength(1);
  });

  it("never stores a body, a token, a secret nor a query value", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const sent: Sent = [];
    const secret = "sk_live_TOPSECRETbodyvalue0123456789";
    const queryValue = "QUERYVALUEzz9912";
    const body = { ...seedInvoiceBody(w.dept.id), metadata: { password: secret }, payment_terms: `hunter2 ${secret}` };
    const { res, requestId } = await logged(sent, `/v1/invoices?note=${queryValue}`, { ...auth(t), headers: { "x-entity-id": w.org.id }, body });
    // Refused or not, the call is recorded.
    expect(res.status).toBeGreaterThanOrEqual(200);
    const key = await logged(sent, `/v1/invoices/${w.invoice.id}?expand=${queryValue}`, { headers: { "x-api-key": `${t.credential.publishable_key}:${t.credential.secret_key}`, "x-entity-id": w.org.id } });
    await consume(sent);
    const stored = JSON.stringify([...(await rowsOf(requestId)), ...(await rowsOf(key.requestId))]);
    expect(stored).toContain(requestId);
    expect(stored).toContain(key.requestId);
    for (const forbidden of [secret, "TOPSECRET", "hunter2", queryValue, "note=", "expand=", t.token, t.credential.secret_key, t.credential.publishable_key, "Jean Dupont", "jean.dupont@example.com"]) {
      expect(stored).not.toContain(forbidden);
    }
    expect(JSON.stringify(sent)).not.toContain(secret);
    expect(JSON.stringify(sent)).not.toContain(queryValue);
  });

  it("a call that failed authentication is logged with what is known, no partner, and no partner sees it", async () => {
    const t = await createPartner();
    const sent: Sent = [];
    const { res, requestId } = await logged(sent, "/v1/invoices/inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", { token: "not-a-valid-token", headers: { "cf-connecting-ip": "203.0.113.9" } });
    expect(res.status).toBe(401);
    await consume(sent);
    const [row] = await rowsOf(requestId);
    expect(row).toMatchObject({
      partner_id: null,
      livemode: null,
      credential_id: null,
      method: "GET",
      route: "/v1/invoices/{id}",
      path_ids: JSON.stringify({ id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
      status: 401,
      ip: "203.0.113.9",
    });
    expect((await call(`/v1/request_logs/${requestId}`, auth(t))).status).toBe(404);
    expect((await expectOk(await call(`/v1/request_logs?request_id=${requestId}`, auth(t)))).data).toEqual([]);
  });
});

describe("a logging outage", () => {
  it("a failing LOGS database fails no request; the consumer leaves the batch to the queue's retry, and it is written once LOGS is back", async () => {
    const t = await createPartner();
    const sent: Sent = [];
    vi.spyOn(env.LOGS, "prepare").mockImplementation(() => {
      throw new Error("D1_ERROR: storage unavailable");
    });
    vi.spyOn(env.LOGS, "batch").mockRejectedValue(new Error("D1_ERROR: storage unavailable"));
    const { res, requestId } = await logged(sent, "/v1/organizations", auth(t));
    expect(res.status).toBe(200);
    const failed = await consume(sent);
    expect(failed.explicitAcks).toEqual([]);
    // (The test queue's result does not report the retry's delay: REQUEST_LOG_RETRY_DELAY_SECONDS.)
    expect(failed.retryMessages.map((m) => m.msgId)).toEqual(["q-0"]);
    vi.restoreAllMocks();
    expect(await rowsOf(requestId)).toEqual([]);

    const retried = await consume(sent);
    expect(retried.retryMessages).toEqual([]);
    expect(retried.explicitAcks).toEqual(["q-0"]);
    expect(await rowsOf(requestId)).toHaveLength(1);
  });

  it("a failing queue fails no request", async () => {
    const t = await createPartner();
    const broken = { send: async () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue<RequestLogMessage>;
    const res = await call("/v1/organizations", { ...auth(t), env: { REQUEST_LOGS: broken } });
    expect(res.status).toBe(200);
    const throwing = {
      send: () => {
        throw new Error("queue binding broken");
      },
    } as unknown as Queue<RequestLogMessage>;
    const created = await call("/v1/organizations", { ...auth(t), env: { REQUEST_LOGS: throwing }, body: SEED.organization });
    expect(created.status).toBe(201);
  });

  it("the dead-letter consumer writes what the main queue could not", async () => {
    const t = await createPartner();
    const sent: Sent = [];
    const { requestId } = await logged(sent, "/v1/organizations", auth(t));
    const run = await consume(sent, "request-logs-dlq");
    expect(run.explicitAcks).toEqual(["q-0"]);
    expect(await rowsOf(requestId)).toHaveLength(1);
  });
});

describe("GET /v1/request_logs", () => {
  async function world() {
    const t = await createPartner();
    const w = await seedWorld(t);
    const sent: Sent = [];
    const calls = {
      list: await logged(sent, "/v1/organizations", auth(t)),
      org: await logged(sent, `/v1/organizations/${w.org.id}`, auth(t)),
      missing: await logged(sent, "/v1/organizations/org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", auth(t)),
      create: await logged(sent, "/v1/organizations", { ...auth(t), body: { ...SEED.organization, name: "ACME" } }),
      invoice: await logged(sent, `/v1/invoices/${w.invoice.id}`, { ...auth(t), headers: { "x-entity-id": w.org.id } }),
    };
    expect(calls.missing.res.status).toBe(404);
    await consume(sent);
    return { t, w, calls };
  }
  const ids = (page: { data: { request_id: string }[] }) => page.data.map((r) => r.request_id);

  it("filters by status, method, path (template or prefix), request id and time; newest first, paginated", async () => {
    const { t, calls } = await world();
    const listed = await call("/v1/request_logs", auth(t));
    // The LOGS database's page and count: one round trip, named in Server-Timing like D1's.
    expect(listed.headers.get("server-timing")).toMatch(/d1-1;desc="batch\(2\)".*storage;desc="sequential round trips";dur=1$/);
    const all = await expectOk(listed);
    expect(ids(all)).toEqual([calls.invoice, calls.create, calls.missing, calls.org, calls.list].map((x) => x.requestId));
    expect(all.pagination).toMatchObject({ page: 1, total_items: 5 });

    expect(ids(await expectOk(await call("/v1/request_logs?status=404", auth(t))))).toEqual([calls.missing.requestId]);
    expect(ids(await expectOk(await call("/v1/request_logs?method=post", auth(t))))).toEqual([calls.create.requestId]);
    expect(ids(await expectOk(await call(`/v1/request_logs?path=${encodeURIComponent("/v1/organizations/{id}")}`, auth(t))))).toEqual([calls.missing.requestId, calls.org.requestId]);
    expect(ids(await expectOk(await call("/v1/request_logs?path=/v1/organizations", auth(t))))).toEqual(
      [calls.create, calls.missing, calls.org, calls.list].map((x) => x.requestId),
    );
    expect(ids(await expectOk(await call(`/v1/request_logs?request_id=${calls.org.requestId}`, auth(t))))).toEqual([calls.org.requestId]);
    expect(ids(await expectOk(await call("/v1/request_logs?to=2020-01-01", auth(t))))).toEqual([]);
    expect(ids(await expectOk(await call(`/v1/request_logs?from=${new Date(Date.now() - 3_600_000).toISOString()}&path=/v1/invoices`, auth(t))))).toEqual([calls.invoice.requestId]);

    const page2 = await expectOk(await call("/v1/request_logs?page_size=2&page=2", auth(t)));
    expect(ids(page2)).toEqual([calls.missing.requestId, calls.org.requestId]);
    expect(page2.pagination).toMatchObject({ page: 2, page_size: 2, total_items: 5, total_pages: 3 });
  });

  it("bad filters are 400 naming the field", async () => {
    const { t } = await world();
    for (const [query, param] of [
      ["status=abc", "status"],
      ["status=99", "status"],
      ["method=BREW", "method"],
      ["path=invoices", "path"],
      ["from=yesterday", "from"],
    ] as const) {
      const res = await call(`/v1/request_logs?${query}`, auth(t));
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(res.body.error), query).toContain(param);
    }
  });

  it("another partner, or the same partner in the other mode, never sees the rows", async () => {
    const { t, calls } = await world();
    const other = await createPartner();
    expect((await expectOk(await call("/v1/request_logs", auth(other)))).data).toEqual([]);
    expect((await call(`/v1/request_logs/${calls.org.requestId}`, auth(other))).status).toBe(404);
    const live = await accessToken(await issueCredential(t.partnerId, "live"));
    expect((await expectOk(await call("/v1/request_logs", { token: live }))).data).toEqual([]);
    expect((await call(`/v1/request_logs/${calls.org.requestId}`, { token: live })).status).toBe(404);
  });

  it("404 for an unknown request id; a scope without audit:read is refused", async () => {
    const { t, calls } = await world();
    const res = await call("/v1/request_logs/req_unknown0000000000", auth(t));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "resource_missing", param: "request_id" });
    const narrow = await accessToken(t.credential, "invoices:read");
    expect((await call(`/v1/request_logs/${calls.org.requestId}`, { token: narrow })).status).toBe(403);
    const auditor = await accessToken(t.credential, "audit:read");
    expect(await expectOk(await call(`/v1/request_logs/${calls.org.requestId}`, { token: auditor }))).toMatchObject({ path: "/v1/organizations/{id}", status: 200 });
  });
});
