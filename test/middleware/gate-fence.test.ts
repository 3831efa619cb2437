import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminHeaders, call, createPartner, expectOk, seedInvoiceBody, seedWorld, type CallResult } from "../helpers/harness";

/** Server-Timing's entries and sequential count (src/lib/timing.ts). */
function timing(res: CallResult) {
  const header = res.headers.get("server-timing") ?? "";
  const gate = /gate;desc="([^"]*)"/.exec(header)?.[1] ?? null;
  const sequential = Number(/storage;desc="sequential round trips";dur=(\d+)/.exec(header)?.[1]);
  return { gate, sequential, header };
}

const rows = async (sql: string, ...params: unknown[]) => (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())!.n;

describe("a write's reads run alongside the partner gate; its writes wait for it", () => {
  it("issuing an invoice reads while the gate answers: the gate runs in parallel, 2 sequential round trips (read batch, write batch)", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
    // A create writes first: nothing overlaps the gate, which stays sequential.
    const created = timing(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }));
    expect(created.gate).toBe("rate limit + revocation");
    expect(created.sequential).toBe(2);
    const issued = await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers });
    expect(issued.status, issued.text).toBe(200);
    const trips = timing(issued);
    expect(trips.gate, trips.header).toBe("rate limit + revocation (parallel)");
    expect(trips.sequential, trips.header).toBe(2);
  });

  it("a revoked credential's issue reads, writes nothing, and is answered 401", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
    const audits = () => rows("SELECT count(*) AS n FROM audit_logs WHERE partner_id = ?", t.partnerId);
    const before = await audits();
    const revoked = await call(`/v1/admin/partners/${t.partnerId}/credentials/${t.credential.id}`, { method: "DELETE", headers: adminHeaders() });
    expect(revoked.status, revoked.text).toBe(200);
    const afterRevoke = await audits();
    const res = await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers, body: undefined });
    expect(res.status, res.text).toBe(401);
    expect(res.body.error.code).toBe("credentials_revoked");
    expect(await rows("SELECT count(*) AS n FROM invoices WHERE id = ? AND status = 'draft' AND invoice_number IS NULL", draft.id)).toBe(1);
    expect(await audits()).toBe(afterRevoke);
    expect(afterRevoke).toBeGreaterThan(before);
    // No document was stored for it either.
    expect((await env.DOCUMENTS.list({ prefix: `${t.partnerId}/test/${w.org.id}/invoices/${draft.id}/` })).objects).toHaveLength(0);
  });

  it("a revoked credential's refund never reaches the payment intent object", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
    await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
    const link = await expectOk(await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: draft.id, payment_methods: ["sepa_credit"] } }), 201);
    await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));
    await expectOk(await call(`/v1/admin/partners/${t.partnerId}/credentials/${t.credential.id}`, { method: "DELETE", headers: adminHeaders() }));
    const res = await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: link.payment_intent_id, amount: 100 } });
    expect(res.status, res.text).toBe(401);
    expect(await rows("SELECT count(*) AS n FROM refunds WHERE payment_intent_id = ?", link.payment_intent_id)).toBe(0);
  });
});
