import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, type CallResult, type Tenant } from "./helpers/harness";
import { createDb } from "../src/db/client";
import { claimKey, completeClaim, keepsResponse, releaseClaim, requestFingerprint } from "../src/middleware/idempotency";
import { intentStub } from "./payments/fixtures";
import { objectRefunds, paidWorld } from "./payments/refund-fixtures";

/**
 * Issue 10 §1: an Idempotency-Key is scoped to partner, mode and organization; only what the
 * operation itself decided is kept; an abandoned claim is taken over only by the same request;
 * claims are fenced; stored responses are sealed. (The scope check before any replay, over every
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

describe("an abandoned claim is taken over only by the same request", () => {
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
