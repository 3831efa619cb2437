import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, type CallResult, type Tenant } from "./helpers/harness";
import { createDb } from "../src/db/client";
import { claimingD1 } from "../src/db/claiming-d1";
import { IdempotencyKeyHeld } from "../src/lib/errors";
import { claimKey, claimStatements, completeClaim, keepsResponse, releaseClaim, requestFingerprint, sealResponse, storeCompletion } from "../src/middleware/idempotency";
import { intentStub } from "./payments/fixtures";
import { objectRefunds, paidWorld } from "./payments/refund-fixtures";

/**
 * Issue 10 §1: an Idempotency-Key is scoped to partner, mode and organization; only what the
 * operation itself decided is kept; on the upfront routes (refunds) an abandoned claim is taken
 * over only by the same request; claims are fenced; stored responses are sealed. Issue 16: the
 * key is claimed in the operation's own batch (no round trip of its own), committed with it or
 * not at all, completed after the response. (The scope check before any replay, over every
 * mutation of the document, is in test/routes/idempotency-matrix.test.ts.)
 */

function expectError(res: CallResult, status: number, fields: Record<string, unknown>) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject(fields);
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

async function keyRows(partnerId: string) {
  return (await env.DB.prepare("SELECT * FROM idempotency_keys WHERE partner_id = ?").bind(partnerId).all<Record<string, unknown>>()).results;
}

/** Two organizations of one partner, each with its department. */
async function twoOrganizations(t: Tenant) {
  const a = await seedWorld(t);
  const orgB = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Mairie de Villeurbanne" } }), 201);
  const deptB = await expectOk(await call(`/v1/organizations/${orgB.id}/departments`, { token: t.token, body: SEED.department }), 201);
  return { orgA: a.org, deptA: a.dept, orgB, deptB };
}

const createInvoice = (token: string, orgId: string, body: unknown, key: string) =>
  call("/v1/invoices", { token, headers: { "x-entity-id": orgId, "idempotency-key": key }, body });

describe("a key is scoped to the organization (X-Entity-Id)", () => {
  it("the same key and body under another organization is not answered with the first organization's invoice", async () => {
    const t = await createPartner();
    const { orgA, deptA, orgB } = await twoOrganizations(t);
    const body = seedInvoiceBody(deptA.id);
    const first = await expectOk(await createInvoice(t.token, orgA.id, body, "order-4711"), 201);

    const other = await createInvoice(t.token, orgB.id, body, "order-4711");
    // It ran under organization B: A's department is not B's.
    expectError(other, 404, { code: "resource_missing", param: "department_id" });
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(other.text).not.toContain(first.id);
  });

  it("the same key under another organization runs there: a second invoice, each replayed in its own organization", async () => {
    const t = await createPartner();
    const { orgA, deptA, orgB, deptB } = await twoOrganizations(t);
    const inA = await expectOk(await createInvoice(t.token, orgA.id, seedInvoiceBody(deptA.id), "order-42"), 201);
    const inB = await createInvoice(t.token, orgB.id, seedInvoiceBody(deptB.id), "order-42");
    expect(inB.status, inB.text).toBe(201);
    expect(inB.headers.get("idempotent-replayed")).toBeNull();
    expect(inB.body.id).not.toBe(inA.id);
    expect(inB.body.organization_id).toBe(orgB.id);

    const againA = await createInvoice(t.token, orgA.id, seedInvoiceBody(deptA.id), "order-42");
    const againB = await createInvoice(t.token, orgB.id, seedInvoiceBody(deptB.id), "order-42");
    expect([againA.headers.get("idempotent-replayed"), againB.headers.get("idempotent-replayed")]).toEqual(["true", "true"]);
    expect([againA.body.id, againB.body.id]).toEqual([inA.id, inB.body.id]);
    const invoices = await env.DB.prepare("SELECT count(*) AS n FROM invoices WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>();
    expect(invoices!.n).toBe(3); // seedWorld's draft, then one in A and one in B
  });
});

describe("a refusal that happened before the operation ran releases the key", () => {
  it("403 (scope): the same key and body from a credential with the scope runs, it is not answered 403 for 24 h", async () => {
    const t = await createPartner();
    const readOnly = await accessToken(await issueCredential(t.partnerId, "test", ["invoices:read"]));
    const refused = await call("/v1/organizations", { token: readOnly, body: SEED.organization, headers: { "idempotency-key": "k-scope" } });
    expectError(refused, 403, { code: "insufficient_scope" });
    expect(await keyRows(t.partnerId)).toEqual([]);

    const fixed = await call("/v1/organizations", { token: t.token, body: SEED.organization, headers: { "idempotency-key": "k-scope" } });
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("404 for X-Entity-Id (no such organization): the retry with the right organization runs", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const body = seedInvoiceBody(w.dept.id);
    const wrongOrg = await createInvoice(t.token, "org-nope", body, "k-entity");
    expectError(wrongOrg, 404, { param: "X-Entity-Id" });
    expect(await keyRows(t.partnerId)).toEqual([]);

    const fixed = await createInvoice(t.token, w.org.id, body, "k-entity");
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("upfront routes (refunds): an abandoned claim is taken over only by the same request", () => {
  /** The worker died after the refund was made and before the key was completed (its claim is over a minute old). */
  async function crashAfterRefund(partnerId: string, key: string) {
    const crashed = await env.DB.prepare(
      "UPDATE idempotency_keys SET status = 'in_flight', response_status = NULL, response_body = NULL, created_at = ? WHERE partner_id = ? AND key = ?",
    )
      .bind(new Date(Date.now() - 120_000).toISOString(), partnerId, key)
      .run();
    expect(crashed.meta.changes).toBe(1);
  }

  it("a crashed 1 000-cent refund retried with 5 000 → 422 idempotency_key_reused; retried as sent → the first refund, made once", async () => {
    const { t, org, pi } = await paidWorld();
    const send = (amount: number) =>
      call("/v1/refunds", { token: t.token, headers: { "x-entity-id": org.id, "idempotency-key": "refund-crash" }, body: { payment_intent_id: pi, amount } });
    const first = await expectOk(await send(1000), 201);
    await crashAfterRefund(t.partnerId, "refund-crash");

    expectError(await send(5000), 422, { type: "idempotency_error", code: "idempotency_key_reused", param: "Idempotency-Key" });
    expect(await objectRefunds(pi)).toHaveLength(1);

    const retry = await send(1000);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.body).toMatchObject({ id: first.id, amount: 1000 });
    expect(await objectRefunds(pi)).toHaveLength(1);
  });

  it("the payment intent object refuses a refund id it already holds with another amount or reason (the key's record is gone)", async () => {
    const { t, org, pi } = await paidWorld();
    const send = (body: Record<string, unknown>) =>
      call("/v1/refunds", { token: t.token, headers: { "x-entity-id": org.id, "idempotency-key": "refund-purged" }, body: { payment_intent_id: pi, ...body } });
    const first = await expectOk(await send({ amount: 1000, reason: "Trop-perçu" }), 201);
    const forget = () => env.DB.prepare("DELETE FROM idempotency_keys WHERE partner_id = ?").bind(t.partnerId).run();

    for (const other of [{ amount: 5000, reason: "Trop-perçu" }, { amount: 1000, reason: "Autre motif" }, { amount: 1000 }, { reason: "Trop-perçu" }]) {
      await forget();
      expectError(await send(other), 422, { type: "idempotency_error", code: "idempotency_key_reused", param: "Idempotency-Key" });
    }
    expect(await objectRefunds(pi)).toHaveLength(1);
    // The same request still finds its refund, and the refusals above left the key free for it.
    const same = await send({ amount: 1000, reason: "Trop-perçu" });
    expect(same.status, same.text).toBe(201);
    expect(same.body.id).toBe(first.id);

    // The object itself, called as the service does: same id, another amount → refused, nothing made.
    const tenant = { partnerId: t.partnerId, livemode: false, organizationId: org.id };
    const direct = await intentStub(pi).refund(pi, { refundId: first.id, amount: 5000, reason: "Trop-perçu", tenant, actor: { id: "test", type: "partner" } });
    expect(direct).toMatchObject({ ok: false, code: "idempotency_key_reused", status: 422 });
    await runInDurableObject(intentStub(pi), () => undefined);
    expect(await objectRefunds(pi)).toHaveLength(1);
  });
});

describe("stored responses are sealed", () => {
  it("a webhook subscription's whsec_ secret is nowhere in the key's row; the replay returns it as first shown", async () => {
    const t = await createPartner();
    const body = { url: "https://votreapp.fr/webhooks/payment-api", events: ["*"] };
    const first = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body, headers: { "idempotency-key": "sub-1" } }), 201);
    expect(first.secret).toMatch(/^whsec_/);
    const rotated = await expectOk(await call(`/v1/webhook_subscriptions/${first.id}/rotate_secret`, { method: "POST", token: t.token, headers: { "idempotency-key": "rotate-1" } }));
    expect(rotated.secret).toMatch(/^whsec_/);

    const rows = await keyRows(t.partnerId);
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    for (const secret of [first.secret, rotated.secret, "whsec_"]) expect(stored).not.toContain(secret);

    const again = await call("/v1/webhook_subscriptions", { token: t.token, body, headers: { "idempotency-key": "sub-1" } });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first);
    const rotatedAgain = await call(`/v1/webhook_subscriptions/${first.id}/rotate_secret`, { method: "POST", token: t.token, headers: { "idempotency-key": "rotate-1" } });
    expect(rotatedAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(rotatedAgain.body).toEqual(rotated);
  });
});

describe("what is kept for replay: only what the operation decided", () => {
  it.each([
    [200, {}, true],
    [201, {}, true],
    [400, { code: "invalid_parameter", param: "siret" }, false],
    [400, { code: "missing_entity_id", param: "X-Entity-Id" }, false],
    [401, { code: "invalid_token" }, false],
    [403, { code: "insufficient_scope" }, false],
    [403, { code: "test_mode_only" }, false],
    [404, { code: "resource_missing", param: "id" }, true],
    [404, { code: "resource_missing", param: "department_id" }, true],
    [404, { code: "resource_missing", param: "X-Entity-Id" }, false],
    [409, { code: "invoice_not_draft" }, true],
    [409, { code: "department_code_taken", param: "code" }, true],
    [409, { code: "concurrent_update" }, false],
    [409, { code: "idempotency_request_in_progress", param: "Idempotency-Key" }, false],
    [413, { code: "body_too_large" }, false],
    [415, { code: "unsupported_media_type" }, false],
    [422, { code: "amount_exceeds_refundable", param: "amount" }, true],
    [422, { code: "idempotency_key_reused", param: "Idempotency-Key" }, false],
    [429, { code: "rate_limit_exceeded" }, false],
    [500, { code: "internal_error" }, false],
    [503, {}, false],
  ] as const)("%i %o → kept: %s", (status, error, kept) => {
    expect(keepsResponse(status, error)).toBe(kept);
  });
});

describe("the claim is fenced by its claim_id", () => {
  it("a slow first request neither deletes the claim that took it over nor overwrites that claim's result", async () => {
    const t = await createPartner();
    const db = createDb(env.DB);
    const scope = { partnerId: t.partnerId, livemode: false, organizationId: "", key: "slow-first" };
    const send = () => call("/v1/organizations", { token: t.token, body: SEED.organization, headers: { "idempotency-key": "slow-first" } });
    // The fingerprint of exactly the request `send` makes.
    const fingerprint = await requestFingerprint(env.ENCRYPTION_KEY, "POST /v1/organizations", new TextEncoder().encode(JSON.stringify(SEED.organization)));
    const limits = { ttlMs: 86_400_000, abandonedAfterMs: 60_000 };

    // A claims the key two minutes ago and stalls; B, the same request, takes the abandoned claim over.
    const a = await claimKey(db, scope, fingerprint, new Date(Date.now() - 120_000), limits);
    const b = await claimKey(db, scope, fingerprint, new Date(), limits);
    if (!a.claimed || !b.claimed) throw new Error("both claims should have been granted");
    expect(b.claimId).not.toBe(a.claimId);

    // A wakes up and fails: its release leaves B's claim in place (a third attempt is told to wait).
    expect(await releaseClaim(db, scope, a.claimId)).toBe(false);
    expectError(await send(), 409, { code: "idempotency_request_in_progress" });

    // B completes; A's late completion and release change nothing.
    expect(await completeClaim(db, env.ENCRYPTION_KEY, scope, b.claimId, 201, '{"id":"org-from-b"}')).toBe(true);
    expect(await completeClaim(db, env.ENCRYPTION_KEY, scope, a.claimId, 201, '{"id":"org-from-a"}')).toBe(false);
    expect(await releaseClaim(db, scope, a.claimId)).toBe(false);

    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual({ id: "org-from-b" });
    expect(await keyRows(t.partnerId)).toHaveLength(1);
  });

  it("an abandoned claim of another request is not taken over: 422, and the claim stays", async () => {
    const t = await createPartner();
    const db = createDb(env.DB);
    const scope = { partnerId: t.partnerId, livemode: false, organizationId: "", key: "other-body" };
    const other = await requestFingerprint(env.ENCRYPTION_KEY, "POST /v1/organizations", new TextEncoder().encode(JSON.stringify({ ...SEED.organization, name: "Autre" })));
    const stale = await claimKey(db, scope, other, new Date(Date.now() - 120_000), { ttlMs: 86_400_000, abandonedAfterMs: 60_000 });
    expect(stale.claimed).toBe(true);

    const res = await call("/v1/organizations", { token: t.token, body: SEED.organization, headers: { "idempotency-key": "other-body" } });
    expectError(res, 422, { type: "idempotency_error", code: "idempotency_key_reused", param: "Idempotency-Key" });
    const organizations = await env.DB.prepare("SELECT count(*) AS n FROM organizations WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>();
    expect(organizations!.n).toBe(0);
    expect(await keyRows(t.partnerId)).toMatchObject([{ request_hash: other, status: "in_flight" }]);
  });
});

// ── issue 16: the key row is written by the operation's own batch ───────────────────────────

const invoiceCount = async (partnerId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM invoices WHERE partner_id = ?").bind(partnerId).first<{ n: number }>())!.n;

/** The D1 round trips a response reports in Server-Timing (src/lib/timing.ts), and the sequential count. */
function roundTrips(res: CallResult) {
  const header = res.headers.get("server-timing") ?? "";
  const d1 = [...header.matchAll(/(d1-\d+);desc="([^"]*)"/g)].map(([, , desc]) => desc!);
  const sequential = Number(/storage;desc="sequential round trips";dur=(\d+)/.exec(header)?.[1]);
  return { d1, sequential };
}

/**
 * Both 201, the same sequential and D1 round trips, and the keyed request's batches two
 * statements bigger (the claim's).
 */
function expectClaimInBatch(without: CallResult, keyed: CallResult) {
  expect([without.status, keyed.status], keyed.text).toEqual([201, 201]);
  const [plain, withKey] = [roundTrips(without), roundTrips(keyed)];
  expect(withKey.sequential).toBe(plain.sequential);
  expect(withKey.d1).toHaveLength(plain.d1.length);
  const size = (descs: string[]) => descs.map((d) => Number(/^batch\((\d+)\)$/.exec(d)?.[1] ?? 0));
  expect(size(withKey.d1)).toEqual(size(plain.d1).map((n) => (n > 0 ? n + 2 : 0)));
}

describe("the key costs no round trip: it is claimed in the operation's own batch", () => {
  it("POST /v1/invoices with a key makes exactly the sequential D1 round trips it makes without one", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const without = await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": w.org.id }, body: seedInvoiceBody(w.dept.id) });
    const keyed = await createInvoice(t.token, w.org.id, seedInvoiceBody(w.dept.id), "round-trips-1");
    // The same batch, carrying two more statements: the expired row's delete and the key's insert.
    expectClaimInBatch(without, keyed);
    // The completion landed after the response (waitUntil): the key is kept.
    expect(await keyRows(t.partnerId)).toMatchObject([{ key: "round-trips-1", status: "completed", response_status: 201 }]);
  });

  it("POST /v1/refunds (claimed upfront) with a key: the claim rides in the refund's read batch, no round trip of its own", async () => {
    const { t, org, pi } = await paidWorld();
    const send = (key?: string) =>
      call("/v1/refunds", { token: t.token, headers: { "x-entity-id": org.id, ...(key ? { "idempotency-key": key } : {}) }, body: { payment_intent_id: pi, amount: 100 } });
    const without = await send();
    const keyed = await send("refund-round-trips");
    // The same read batch, carrying the claim's upsert and the holder's select in front, still
    // alongside the partner gate (db/fenced-d1.ts aheadOfGate): no sequential step more.
    expectClaimInBatch(without, keyed);
    expect(await keyRows(t.partnerId)).toMatchObject([{ key: "refund-round-trips", status: "completed", response_status: 201 }]);
    // Replayed, never a second refund; another body → 422.
    const again = await send("refund-round-trips");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(keyed.body);
    const other = await call("/v1/refunds", { token: t.token, headers: { "x-entity-id": org.id, "idempotency-key": "refund-round-trips" }, body: { payment_intent_id: pi, amount: 200 } });
    expect(other.status).toBe(422);
    expect((await objectRefunds(pi)).filter((r) => r.amount === 100)).toHaveLength(2);
  });

  it("the key row and the operation's rows commit together: a batch that fails leaves no key, and the retry runs", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const audits = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_logs WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>())!.n;
    const before = await audits();
    const send = () => call(`/v1/organizations/${w.org.id}/departments`, { token: t.token, body: SEED.department, headers: { "idempotency-key": "dept-taken" } });
    // seedWorld's department has this code: the unique index fails the batch that carries the claim.
    expectError(await send(), 409, { code: "department_code_taken", param: "code" });
    expect(await keyRows(t.partnerId)).toEqual([]);
    expect(await audits()).toBe(before);

    await expectOk(await call(`/v1/departments/${w.dept.id}`, { method: "PATCH", token: t.token, body: { code: "REG-EAU-OLD" } }));
    const retry = await send();
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await keyRows(t.partnerId)).toMatchObject([{ key: "dept-taken", status: "completed", response_status: 201 }]);
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(retry.body);
  });

  it("20 concurrent POST /v1/invoices with one key: one invoice, the others replay it or get 409 in progress", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const before = await invoiceCount(t.partnerId);
    const results = await Promise.all(Array.from({ length: 20 }, () => createInvoice(t.token, w.org.id, seedInvoiceBody(w.dept.id), "burst-20")));
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    const originals = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null);
    expect(originals).toHaveLength(1);
    for (const r of results) {
      if (r === originals[0]) continue;
      if (r.status === 409) expectError(r, 409, { type: "idempotency_error", code: "idempotency_request_in_progress", param: "Idempotency-Key" });
      else {
        expect(r.status, r.text).toBe(201);
        expect(r.headers.get("idempotent-replayed")).toBe("true");
        expect(r.text).toBe(originals[0]!.text);
      }
    }
    expect(await invoiceCount(t.partnerId)).toBe(before + 1);
    const after = await createInvoice(t.token, w.org.id, seedInvoiceBody(w.dept.id), "burst-20");
    expect(after.headers.get("idempotent-replayed")).toBe("true");
    expect(after.text).toBe(originals[0]!.text);
  });

  it("a duplicate before the completion lands gets 409 and writes nothing; after it, the replay", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const body = seedInvoiceBody(w.dept.id);
    const scope = { partnerId: t.partnerId, livemode: false, organizationId: w.org.id, key: "held-back" };
    const fingerprint = await requestFingerprint(env.ENCRYPTION_KEY, "POST /v1/invoices", new TextEncoder().encode(JSON.stringify(body)));
    // The first request, as the middleware runs it: its write batch carries the claim, its completion is held back.
    const claimId = crypto.randomUUID();
    const first = claimingD1(env.DB, (d1) => claimStatements(d1, scope, claimId, fingerprint, new Date(), 86_400_000));
    await scratch();
    await first.d1.batch([first.d1.prepare("INSERT INTO scratch_claims (v) VALUES (?)").bind(1)]);
    expect(await first.settle()).toBe("claimed");
    expect(await keyRows(t.partnerId)).toMatchObject([{ key: "held-back", status: "in_flight", claim_id: claimId }]);

    const before = await invoiceCount(t.partnerId);
    const early = await createInvoice(t.token, w.org.id, body, "held-back");
    expectError(early, 409, { code: "idempotency_request_in_progress", param: "Idempotency-Key" });
    expect(await invoiceCount(t.partnerId)).toBe(before);
    // Another body meanwhile: 422, whatever the holder's state.
    expectError(await createInvoice(t.token, w.org.id, { ...body, payment_terms: "Autre" }, "held-back"), 422, { code: "idempotency_key_reused" });

    const kept = '{"id":"inv-of-the-first-request","object":"invoice"}';
    expect(await storeCompletion(createDb(env.DB), scope, claimId, 201, await sealResponse(env.ENCRYPTION_KEY, claimId, kept))).toBe(true);
    const late = await createInvoice(t.token, w.org.id, body, "held-back");
    expect(late.status).toBe(201);
    expect(late.headers.get("idempotent-replayed")).toBe("true");
    expect(late.text).toBe(kept);
    expect(await invoiceCount(t.partnerId)).toBe(before);
  });
});

describe("a refusal that wrote nothing keeps nothing: the corrected retry with the same key runs", () => {
  const kyc = (t: Tenant, deptId: string, body: unknown) => call(`/v1/departments/${deptId}/kyc`, { token: t.token, body, headers: { "idempotency-key": "kyc-1" } });

  it("404 of a referenced object (a bank account): the retry naming the right one submits the KYC", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    expectError(await kyc(t, w.dept.id, { bank_account_id: "ba-00000000-0000-0000-0000-000000000000" }), 404, { code: "resource_missing", param: "bank_account_id" });
    expect(await keyRows(t.partnerId)).toEqual([]);
    const fixed = await kyc(t, w.dept.id, { bank_account_id: w.account.id });
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("422 decided before the batch (an IBAN the department does not have): the same request runs once the account is added", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const body = { iban: "FR7630006000011234567890189" };
    expectError(await kyc(t, w.dept.id, body), 422, { code: "bank_account_not_found", param: "iban" });
    expect(await keyRows(t.partnerId)).toEqual([]);

    await expectOk(await call(`/v1/departments/${w.dept.id}/bank_accounts`, { token: t.token, body: { ...SEED.bankAccount, iban: body.iban, is_default: false } }), 201);
    const submitted = await kyc(t, w.dept.id, body);
    expect(submitted.status, submitted.text).toBe(201);
    expect(submitted.headers.get("idempotent-replayed")).toBeNull();
    const again = await kyc(t, w.dept.id, body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(submitted.text);
  });

  it("a retry that would be refused now (the invoice is no longer a draft) is answered the first success, replayed", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const issue = () => call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id, "idempotency-key": "issue-once" } });
    const issued = await issue();
    expect(issued.status, issued.text).toBe(200);
    const again = await issue();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(issued.text);
    // Another body under the key: 422, though this request would have been refused before writing.
    const other = await call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id, "idempotency-key": "issue-once" }, body: {} });
    expectError(other, 422, { code: "idempotency_key_reused" });
  });
});

async function scratch() {
  await env.DB.exec("CREATE TABLE IF NOT EXISTS scratch_claims (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
}

describe("the claiming D1 client (db/claiming-d1.ts)", () => {
  const scopeOf = (key: string) => ({ partnerId: "ptn_claiming", livemode: false, organizationId: "", key });
  const claimingOf = (key: string) => claimingD1(env.DB, (d1) => claimStatements(d1, scopeOf(key), `clm-${key}`, "fingerprint", new Date(), 86_400_000));
  const claimed = async (key: string) =>
    (await env.DB.prepare("SELECT claim_id, status FROM idempotency_keys WHERE partner_id = 'ptn_claiming' AND key = ?").bind(key).all()).results;

  it("a write run alone answers as it would without the claim, for each method, and carries the claim", async () => {
    await scratch();
    const insert = "INSERT INTO scratch_claims (v) VALUES (?) RETURNING v";
    const plain = { first: await env.DB.prepare(insert).bind(7).first(), col: await env.DB.prepare(insert).bind(7).first("v"), raw: await env.DB.prepare(insert).bind(7).raw(), all: (await env.DB.prepare(insert).bind(7).all()).results, run: (await env.DB.prepare(insert).bind(7).run()).meta.changes };
    const via = async <T>(key: string, work: (d1: D1Database) => Promise<T>) => {
      const c = claimingOf(key);
      const out = await work(c.d1);
      expect(await c.settle()).toBe("claimed");
      expect(await claimed(key)).toEqual([{ claim_id: `clm-${key}`, status: "in_flight" }]);
      return out;
    };
    expect(await via("m-first", (d1) => d1.prepare(insert).bind(7).first())).toEqual(plain.first);
    expect(await via("m-col", (d1) => d1.prepare(insert).bind(7).first("v"))).toEqual(plain.col);
    expect(await via("m-raw", (d1) => d1.prepare(insert).bind(7).raw())).toEqual(plain.raw);
    expect(await via("m-all", async (d1) => (await d1.prepare(insert).bind(7).all()).results)).toEqual(plain.all);
    expect(await via("m-run", async (d1) => (await d1.prepare(insert).bind(7).run()).meta.changes)).toEqual(plain.run);
  });

  it("reads go through untouched; only the first write carries the claim; parallel writes wait for it", async () => {
    await scratch();
    const c = claimingOf("parallel");
    await c.d1.prepare("SELECT count(*) AS n FROM scratch_claims").first();
    await c.d1.batch([c.d1.prepare("SELECT 1"), c.d1.prepare("SELECT 2")]);
    expect(await claimed("parallel")).toEqual([]);
    const write = (v: number) => c.d1.batch([c.d1.prepare("INSERT INTO scratch_claims (v) VALUES (?)").bind(v), c.d1.prepare("SELECT 1")]);
    const results = await Promise.all([write(101), write(102), write(103)]);
    // Each caller sees its own statements' results only.
    expect(results.map((r) => r.length)).toEqual([2, 2, 2]);
    expect(await c.settle()).toBe("claimed");
    expect(await claimed("parallel")).toHaveLength(1);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM scratch_claims WHERE v BETWEEN 101 AND 103").first<{ n: number }>();
    expect(rows!.n).toBe(3);
  });

  it("a key held by another: the write fails whole, later writes are refused without running, reads still work", async () => {
    await scratch();
    const holder = claimingOf("held");
    await holder.d1.prepare("INSERT INTO scratch_claims (v) VALUES (200)").run();
    const c = claimingD1(env.DB, (d1) => claimStatements(d1, scopeOf("held"), "clm-second", "fingerprint", new Date(), 86_400_000));
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM scratch_claims WHERE v = 201").first<{ n: number }>())!.n;
    await expect(c.d1.batch([c.d1.prepare("INSERT INTO scratch_claims (v) VALUES (201)")])).rejects.toBeInstanceOf(IdempotencyKeyHeld);
    await expect(c.d1.prepare("INSERT INTO scratch_claims (v) VALUES (201)").run()).rejects.toBeInstanceOf(IdempotencyKeyHeld);
    expect(await c.d1.prepare("SELECT 5 AS five").first("five")).toBe(5);
    expect(await c.settle()).toBe("held");
    expect(await count()).toBe(0);
    expect(await claimed("held")).toEqual([{ claim_id: "clm-held", status: "in_flight" }]);
  });

  it("an expired holder is replaced in the same batch; a write after the request settled claims nothing", async () => {
    await scratch();
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (partner_id, livemode, organization_id, key, claim_id, request_hash, status, created_at, expires_at) VALUES ('ptn_claiming', 0, '', 'expired', 'clm-old', 'h', 'completed', '2000-01-01T00:00:00.000Z', '2000-01-02T00:00:00.000Z')",
    ).run();
    const c = claimingOf("expired");
    await c.d1.prepare("INSERT INTO scratch_claims (v) VALUES (300)").run();
    expect(await c.settle()).toBe("claimed");
    expect(await claimed("expired")).toEqual([{ claim_id: "clm-expired", status: "in_flight" }]);

    const late = claimingOf("late");
    expect(await late.settle()).toBe("none");
    await late.d1.prepare("INSERT INTO scratch_claims (v) VALUES (301)").run();
    expect(await claimed("late")).toEqual([]);
  });
});
