import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { unseal } from "../../src/lib/crypto";
import { accessToken, call, createPartner, expectOk, seedInvoiceBody, seedWorld } from "../helpers/harness";
import { auditRows, coveredRowsText, expectNoPayer, naming, PAYER, payerWorld } from "./payer-fixture";

/** Issue 15, data-subject rights: POST /v1/privacy/erasures (GDPR art. 17). */

const ERASE = { email: PAYER.email, reason: "Demande d'effacement du payeur reçue le 2024-03-02" };

async function count(sql: string, ...binds: unknown[]) {
  return (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())!.n;
}

describe("POST /v1/privacy/erasures", () => {
  it("erases the payer from drafts, quotes, the revoked request, emails and event payloads; keeps the issued invoice and the ledger; leaves another partner's payer alone; a second call erases nothing", async () => {
    const w = await payerWorld();
    const other = await createPartner({ name: "Other partner" });
    const otherWorld = await seedWorld(other);
    const partnerId = w.tenant.partnerId;

    // Before: the payer is found in clear (once unsealed) in the covered tables.
    expect(naming(await coveredRowsText(partnerId, [w.issued.id])).length).toBeGreaterThan(0);
    const ledgerBefore = await count("SELECT count(*) AS n FROM payments WHERE partner_id = ?", partnerId);

    const exported = await expectOk(await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token: w.token }));
    const messageId = exported.messages[0].id as string;

    // The partner wrote the email in the reason: the audit trail keeps it masked all the same.
    const erasure = await expectOk(await call("/v1/privacy/erasures", { token: w.token, body: { ...ERASE, reason: `${ERASE.reason} (${PAYER.email})` } }));
    expect(erasure).toMatchObject({ object: "privacy_erasure", status: "erased", remaining: false });
    expect(erasure.id).toMatch(/^pe-/);
    expect(erasure.erased).toMatchObject({ invoices: 1, quotes: 1, payment_links: 1, messages: exported.messages.length });
    expect(exported.messages.length).toBeGreaterThanOrEqual(1);
    expect(erasure.erased.events).toBeGreaterThanOrEqual(4);
    expect(erasure.kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "invoice", count: 1, reason: expect.stringContaining("L123-22") }),
        expect.objectContaining({ type: "payment", count: 1 }),
        expect.objectContaining({ type: "payment_link", count: 1 }),
      ]),
    );

    // After: no trace of the email nor the name in any row of those tables but the issued invoice.
    expectNoPayer(await coveredRowsText(partnerId, [w.issued.id]));

    // The issued invoice is kept as issued (payer, number, amounts), and so is the ledger.
    const issued = await env.DB.prepare("SELECT * FROM invoices WHERE id = ?").bind(w.issued.id).first<Record<string, string>>();
    expect(JSON.parse(await unseal(env.ENCRYPTION_KEY, issued!.payer_encrypted!, `invoice:${w.issued.id}:payer`))).toMatchObject({ name: PAYER.name, email: PAYER.email });
    expect(issued!.invoice_number).toBe(w.issued.invoice_number);
    expect(await count("SELECT count(*) AS n FROM payments WHERE partner_id = ?", partnerId)).toBe(ledgerBefore);
    const got = await expectOk(await call(`/v1/invoices/${w.issued.id}`, { token: w.token, headers: { "x-entity-id": w.org.id } }));
    expect(got.payer.email).toBe(PAYER.email);
    // An erased message still reads, and names nobody.
    const message = await expectOk(await call(`/v1/messages/${messageId}`, { token: w.token, headers: { "x-entity-id": w.org.id } }));
    expect(message.to).toBe("[erased]");
    // The anonymized draft still reads.
    const draft = await expectOk(await call(`/v1/invoices/${w.draft.id}`, { token: w.token, headers: { "x-entity-id": w.org.id } }));
    expect(draft.payer.email).not.toBe(PAYER.email);

    // The export now shows only what is kept.
    const after = await expectOk(await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token: w.token }));
    expect(after.invoices.map((i: { id: string }) => i.id)).toEqual([w.issued.id]);
    expect(after.quotes).toEqual([]);
    expect(after.messages).toEqual([]);
    expect(after.payment_links.map((l: { id: string }) => l.id)).toEqual([w.link.id]);
    expect(after.payments).toHaveLength(1);

    // Another partner's payer with the same email is untouched.
    const otherExport = await expectOk(await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token: other.token }));
    expect(otherExport.invoices).toEqual([expect.objectContaining({ id: otherWorld.invoice.id, payer: expect.objectContaining({ email: PAYER.email }) })]);
    expect(otherExport.events.length).toBeGreaterThan(0);

    // Audited once, partner-level, the email masked.
    const audit = await auditRows(partnerId, "privacy_erasure");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ organization_id: null, resource_id: erasure.id, action: "created" });
    expect(String(audit[0]!.changes).toLowerCase()).not.toContain(PAYER.email);
    expect(JSON.parse(String(audit[0]!.changes)).after.erased_ids.invoices).toEqual([w.draft.id]);

    // Idempotent: a second erasure erases nothing more, says so, and keeps the same.
    const again = await expectOk(await call("/v1/privacy/erasures", { token: w.token, body: ERASE }));
    expect(again.status).toBe("nothing_to_erase");
    expect(again.erased).toEqual({ invoices: 0, quotes: 0, payment_links: 0, messages: 0, events: 0 });
    expect(again.kept).toEqual(erasure.kept);
    expect(again.id).not.toBe(erasure.id);
    expectNoPayer(await coveredRowsText(partnerId, [w.issued.id]));
  });

  it("pauses the dunning of a kept invoice still due: the sandbox clock then sends the erased payer no reminder", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const body = { ...seedInvoiceBody(w.dept.id), due_date: "2030-03-10" };
    const drafted = await expectOk(await call("/v1/invoices", { token: t.token, headers, body }), 201);
    const due = await expectOk(await call(`/v1/invoices/${drafted.id}/issue`, { method: "POST", token: t.token, headers }));
    await expectOk(await call(`/v1/organizations/${w.org.id}/dunning_rules`, { token: t.token, body: { offset_days: 1, channel: "email", template: "reminder_due" } }), 201);

    const erased = await expectOk(await call("/v1/privacy/erasures", { token: t.token, body: ERASE }));
    expect(erased.dunning_paused_invoices).toEqual([due.id]);
    expect(await expectOk(await call(`/v1/invoices/${due.id}`, { token: t.token, headers }))).toMatchObject({ status: "issued", dunning_paused: true });
    const [entry] = await auditRows(t.partnerId, "privacy_erasure");
    expect(JSON.stringify(entry)).toContain(due.id);

    // The day after the due date: overdue, and no reminder for the erased payer.
    const sweep = await expectOk(await call("/v1/sandbox/sweeps", { token: t.token, body: { as_of: "2030-03-11" } }));
    expect(sweep).toMatchObject({ invoices_marked_overdue: 1, dunning_reminders_sent: 0 });
    expect(await count("SELECT count(*) AS n FROM messages WHERE related_id = ?", due.id)).toBe(0);
    // A second erasure pauses nothing more.
    expect((await expectOk(await call("/v1/privacy/erasures", { token: t.token, body: ERASE }))).dunning_paused_invoices).toEqual([]);
  });

  it("400 for a bad email or a missing reason, nothing written", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    for (const body of [{ email: "not-an-email", reason: "x" }, { reason: "x" }, { email: PAYER.email }, { email: PAYER.email, reason: "" }]) {
      const res = await call("/v1/privacy/erasures", { token: t.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.param, JSON.stringify(body)).toBe("email" in body && body.email === PAYER.email ? "reason" : "email");
    }
    expect(await auditRows(t.partnerId, "privacy_erasure")).toHaveLength(0);
    const draft = await expectOk(await call(`/v1/invoices/${w.invoice.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(draft.payer.email).toBe(PAYER.email);
  });

  it("403 without the privacy:write scope, nothing erased", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    for (const scope of ["invoices:write", "privacy:read"]) {
      const token = await accessToken(t.credential, scope);
      const res = await call("/v1/privacy/erasures", { token, body: ERASE });
      expect(res.status, scope).toBe(403);
      expect(res.text).toContain("privacy:write");
    }
    const draft = await expectOk(await call(`/v1/invoices/${w.invoice.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(draft.payer.email).toBe(PAYER.email);
    expect(await auditRows(t.partnerId, "privacy_erasure")).toHaveLength(0);
  });
});
