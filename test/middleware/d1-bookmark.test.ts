import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";

/**
 * Reads from D1 replicas (issue 16 §3): every API answer carries its D1 session's bookmark in
 * X-D1-Bookmark, and a request that sends it back reads at least that fresh. Locally D1 has no
 * replicas, so what is tested is the round trip: the bookmark answered, sent back, accepted, the
 * write seen; a malformed one refused; a Durable Object's own D1 write covered by the answer.
 */

const HEADER = "x-d1-bookmark";
/** D1's bookmark shape (the one local D1 mints, and the one D1 documents). */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

function bookmarkOf(res: { headers: Headers }): string {
  const b = res.headers.get(HEADER);
  expect(b, "X-D1-Bookmark on the response").toMatch(BOOKMARK);
  return b!;
}

async function newOrganization(t: Tenant, headers: Record<string, string> = {}) {
  return call("/v1/organizations", { token: t.token, headers, body: { ...SEED.organization, name: `Mairie ${crypto.randomUUID().slice(0, 8)}` } });
}

describe("X-D1-Bookmark", () => {
  it("a write answers a bookmark; a read sent with it answers 200 with the write, and a bookmark at least as fresh", async () => {
    const t = await createPartner();
    const created = await newOrganization(t);
    expect(created.status).toBe(201);
    const written = bookmarkOf(created);

    const read = await call(`/v1/organizations/${created.body.id}`, { token: t.token, headers: { "X-D1-Bookmark": written } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, name: created.body.name, siren: created.body.siren, created_at: created.body.created_at });
    // Bookmarks sort oldest to newest as strings: the read's session started from the write's.
    expect(bookmarkOf(read) >= written).toBe(true);

    // The list too (another read path), with the bookmark of the read.
    const list = await call("/v1/organizations", { token: t.token, headers: { "X-D1-Bookmark": bookmarkOf(read) } });
    expect(list.status).toBe(200);
    expect(list.body.data.map((o: { id: string }) => o.id)).toContain(created.body.id);
  });

  it("a GET without a bookmark works and answers one", async () => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: t.token });
    expect(res.status).toBe(200);
    bookmarkOf(res);
  });

  it("a malformed bookmark is 400 invalid_bookmark naming X-D1-Bookmark, before anything is written; never a 500", async () => {
    const t = await createPartner();
    const garbage = [
      "garbage",
      "first-primary", // a constraint, not a bookmark
      "00000000-00000011-00000000", // truncated
      "00000000-00000011-00000000-00000000000000000000000000000000-extra",
      "ZZZZZZZZ-00000011-00000000-00000000000000000000000000000000",
      "00000000-00000011-00000000-0000000000000000000000000000000g",
      "' OR 1=1 --",
      "x".repeat(5000),
    ];
    for (const value of garbage) {
      for (const send of [
        () => newOrganization(t, { "X-D1-Bookmark": value }),
        () => call("/v1/organizations", { token: t.token, headers: { "X-D1-Bookmark": value } }),
        // An API key: its authentication is itself a D1 read.
        () => call("/v1/invoices", { headers: { authorization: `Bearer ${t.credential.secret_key}`, "X-D1-Bookmark": value } }),
      ]) {
        const res = await send();
        expect(res.status, `${value.slice(0, 40)}: ${res.text}`).toBe(400);
        expect(res.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_bookmark", param: "X-D1-Bookmark" });
        expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
        // A refused bookmark is not echoed as if it were one.
        expect(res.headers.get(HEADER)).toBeNull();
      }
    }
    // Nothing was written by the refused creations.
    const list = await expectOk(await call("/v1/organizations", { token: t.token }));
    expect(list.data).toEqual([]);
  });

  it("a well-formed bookmark a deployed D1 refuses at the first query is 400 invalid_bookmark, not 500", async () => {
    // Local D1 accepts any bookmark; a deployed one refuses one it cannot serve (fault injected here:
    // the session D1 returns for a bookmark fails every query the way D1 would, with its message).
    const t = await createPartner();
    const refusingD1 = {
      ...env.DB,
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: (s: D1PreparedStatement[]) => env.DB.batch(s),
      withSession: (constraintOrBookmark: string) => {
        const real = env.DB.withSession(constraintOrBookmark);
        if (!BOOKMARK.test(constraintOrBookmark)) return real;
        const fail = () => Promise.reject(new Error("D1_ERROR: Invalid or expired bookmark"));
        const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
        return { prepare: () => statement, batch: fail, getBookmark: () => real.getBookmark() };
      },
    } as unknown as D1Database;
    const res = await call("/v1/organizations", { token: t.token, env: { DB: refusingD1 }, headers: { "X-D1-Bookmark": "00000000-00000011-00000000-00000000000000000000000000000000" } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_bookmark", param: "X-D1-Bookmark" });
    // Without a bookmark the same database answers as usual.
    expect((await call("/v1/organizations", { token: t.token, env: { DB: refusingD1 } })).status).toBe(200);
  });

  it("a blank header is no bookmark: the request runs as if none were sent", async () => {
    const t = await createPartner();
    const res = await call("/v1/organizations", { token: t.token, headers: { "X-D1-Bookmark": "  " } });
    expect(res.status).toBe(200);
    bookmarkOf(res);
  });

  it("error answers carry a bookmark too", async () => {
    const t = await createPartner();
    const missing = await call("/v1/invoices/inv-01936f3a-0000-7000-8000-000000000000", { token: t.token, headers: { "x-entity-id": "org-01936f3a-0000-7000-8000-000000000000" } });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    bookmarkOf(missing);

    // A wrong API key: 401, after the key's D1 lookup.
    const refused = await call("/v1/organizations", { headers: { authorization: "Bearer sk_test_nope0123456789abcdef0123456789" } });
    expect(refused.status).toBe(401);
    bookmarkOf(refused);

    // A validation error of a request that sent a bookmark: the one it sent comes back (nothing fresher was reached).
    const created = await newOrganization(t);
    const sent = bookmarkOf(created);
    const invalid = await call("/v1/organizations", { token: t.token, headers: { "X-D1-Bookmark": sent }, body: { ...SEED.organization, siret: "12" } });
    expect(invalid.status).toBe(400);
    expect(bookmarkOf(invalid) >= sent).toBe(true);
  });

  it("works the same through the bench's latency model (env.DB wrapped, sessions included)", async () => {
    const t = await createPartner();
    const modeled = { BENCH_LATENCY_MODEL: "d1=2,do=1", ENVIRONMENT: "development" } as Partial<Env>;
    const created = await call("/v1/organizations", { token: t.token, env: modeled, body: { ...SEED.organization } });
    expect(created.status).toBe(201);
    const read = await call(`/v1/organizations/${created.body.id}`, { token: t.token, env: modeled, headers: { "X-D1-Bookmark": bookmarkOf(created) } });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(created.body.id);
    bookmarkOf(read);
  });

  it("documents the header once in /v1/openapi.json and on every API response", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    expect(doc.components.headers["X-D1-Bookmark"].description).toMatch(/X-D1-Bookmark/);
    expect(doc.components.headers["X-D1-Bookmark"].description).toMatch(/invalid_bookmark/);
    const ref = { $ref: "#/components/headers/X-D1-Bookmark" };
    const op = doc.paths["/v1/organizations"].post;
    expect(op.responses["201"].headers["X-D1-Bookmark"]).toEqual(ref);
    expect(op.responses["400"].headers["X-D1-Bookmark"]).toEqual(ref);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>)) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.headers?.["X-D1-Bookmark"], `${method} ${path} ${status}`).toEqual(ref);
        }
      }
    }
  });
});

describe("X-D1-Bookmark after a Durable Object's write", () => {
  /** An issued invoice paid in the sandbox through its link: the payment intent object projected it to D1. */
  async function paid(t: Tenant) {
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
    const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
    const link = await expectOk(await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: issued.id, payment_methods: ["sepa_credit", "card"] } }), 201);
    return { headers, pi: link.payment_intent_id as string };
  }

  /** The bookmark of the object's own D1 session: where its projections were written. */
  function objectBookmark(pi: string): Promise<string | null> {
    return runInDurableObject(env.PAYMENT_INTENT.getByName(pi), (instance) => (instance as unknown as { d1Session: D1DatabaseSession | null }).d1Session?.getBookmark() ?? null);
  }

  it("a refund's answer covers what the object projected before it, and a read sent with it finds the refund (from the object until its projection lands)", async () => {
    const t = await createPartner();
    const { headers, pi } = await paid(t);
    const simulated = await call(`/v1/sandbox/payment_intents/${pi}/simulate`, { token: t.token, body: { outcome: "succeeded" } });
    expect(simulated.status).toBe(200);
    expect(bookmarkOf(simulated) >= (await objectBookmark(pi))!).toBe(true);

    const refund = await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: pi, amount: 1000 } });
    expect(refund.status).toBe(201);
    const answered = bookmarkOf(refund);
    // The object answers a refund before projecting it (issue 16 §2): its bookmark is at least the
    // payment's, and GET /v1/refunds/{id} asks the object while D1 has no row yet.
    expect(answered >= bookmarkOf(simulated)).toBe(true);

    const read = await call(`/v1/refunds/${refund.body.id}`, { token: t.token, headers: { ...headers, "X-D1-Bookmark": answered } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: refund.body.id, amount: 1000, payment_intent_id: pi });
  });
});
