import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld, type Tenant } from "../helpers/harness";
import { expectInvariantsHold } from "../helpers/invariants";

/** Gap-free numbering under concurrency (CGI ann. II 242 nonies A): no duplicate, no gap, no 5xx. */

const year = new Date().toLocaleDateString("en-CA", { timeZone: "Europe/Paris" }).slice(0, 4);

async function drafts(t: Tenant, orgId: string, deptId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const inv = await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": orgId }, body: seedInvoiceBody(deptId) }), 201);
    ids.push(inv.id);
  }
  return ids;
}

describe("invoice numbers under concurrency", () => {
  it("50 concurrent issues on one organization give 50 distinct consecutive numbers", async () => {
    const t = await createPartner({ plan: "enterprise" });
    const w = await seedWorld(t);
    const ids = [w.invoice.id, ...(await drafts(t, w.org.id, w.dept.id, 49))];
    const results = await Promise.all(
      ids.map((id) => call(`/v1/invoices/${id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id } })),
    );
    expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);
    const numbers = results.map((r) => r.body.invoice_number as string).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `FAC-${year}-${String(i + 1).padStart(5, "0")}`));
    // The stored rows agree with the responses, and the counter stopped at 50.
    const stored = await env.DB.prepare("SELECT invoice_number FROM invoices WHERE organization_id = ? ORDER BY invoice_number").bind(w.org.id).all<{ invoice_number: string }>();
    expect(stored.results.map((r) => r.invoice_number)).toEqual(numbers);
    const counter = await env.DB.prepare("SELECT last_number FROM invoice_counters WHERE organization_id = ? AND series = 'invoice'").bind(w.org.id).first<{ last_number: number }>();
    expect(counter?.last_number).toBe(50);
    // Exactly one status event per issued invoice.
    const events = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE organization_id = ? AND type = 'invoice.status_changed'").bind(w.org.id).first<{ n: number }>();
    expect(events?.n).toBe(50);
    // And every invariant the soak checks holds over the result (numbers, events, audit entries).
    await expectInvariantsHold(t.token, w.org.id);
  });

  it("the same draft issued 10 times at once is issued once, and the series has no gap after it", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id } })),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(409);
      expect(["invoice_not_draft", "concurrent_update"]).toContain(r.body.error.code);
    }
    expect(ok[0]!.body.invoice_number).toBe(`FAC-${year}-00001`);
    const [next] = await drafts(t, w.org.id, w.dept.id, 1);
    const issued = await expectOk(await call(`/v1/invoices/${next}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(issued.invoice_number).toBe(`FAC-${year}-00002`);
    await expectInvariantsHold(t.token, w.org.id);
  });

  it("concurrent cancels of an issued invoice make one credit note, and credit notes have their own gap-free series", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const ids = [w.invoice.id, ...(await drafts(t, w.org.id, w.dept.id, 2))];
    for (const id of ids) await expectOk(await call(`/v1/invoices/${id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id } }));
    const cancels = await Promise.all(
      ids.flatMap((id) => Array.from({ length: 5 }, () => call(`/v1/invoices/${id}/cancel`, { method: "POST", token: t.token, headers: { "x-entity-id": w.org.id } }))),
    );
    expect(cancels.filter((r) => r.status >= 500)).toEqual([]);
    const made = cancels.filter((r) => r.status === 200);
    expect(made).toHaveLength(3);
    expect(made.map((r) => r.body.credit_note.credit_note_number).sort()).toEqual([1, 2, 3].map((n) => `AV-${year}-0000${n}`));
    const notes = await env.DB.prepare("SELECT count(*) AS n FROM credit_notes WHERE organization_id = ?").bind(w.org.id).first<{ n: number }>();
    expect(notes?.n).toBe(3);
    await expectInvariantsHold(t.token, w.org.id);
  });
});
