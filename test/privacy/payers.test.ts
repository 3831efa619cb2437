import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, seedWorld } from "../helpers/harness";
import { auditRows, PAYER, payerWorld } from "./payer-fixture";

/** Issue 15, data-subject rights: GET /v1/privacy/payers?email= (GDPR art. 15). */
describe("GET /v1/privacy/payers", () => {
  it("lists the payer's draft and issued invoices, quote, paid link and its payment, revoked request, emails and events — and no other partner's", async () => {
    const w = await payerWorld();
    // Another partner with a payer of the same email: never part of this partner's answer.
    const other = await createPartner({ name: "Other partner" });
    const otherWorld = await seedWorld(other);

    const res = await call(`/v1/privacy/payers?email=${encodeURIComponent("  Jean.Dupont@Example.com ")}`, { token: w.token });
    const body = await expectOk(res);
    expect(body.object).toBe("privacy_export");
    expect(body.livemode).toBe(false);
    expect(body.invoices.map((i: { id: string }) => i.id).sort()).toEqual([w.draft.id, w.issued.id].sort());
    expect(body.invoices.find((i: { id: string }) => i.id === w.issued.id)).toMatchObject({ status: "paid", invoice_number: w.issued.invoice_number, payer: { name: PAYER.name, email: PAYER.email } });
    expect(body.invoices.some((i: { id: string }) => i.id === otherWorld.invoice.id)).toBe(false);
    expect(body.quotes.map((q: { id: string }) => q.id)).toEqual([w.quote.id]);
    expect(body.payment_links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: w.link.id, invoice_id: w.issued.id, status: "completed", payer: null }),
        expect.objectContaining({ id: w.request.id, invoice_id: null, status: "revoked", payer: { name: PAYER.name, email: PAYER.email } }),
      ]),
    );
    expect(body.payment_links).toHaveLength(2);
    expect(body.payments).toEqual([expect.objectContaining({ id: w.payment.id, invoice_id: w.issued.id, amount: w.issued.total_amount })]);
    // The invoice sent by email, and the receipt after its payment: both to the payer, in full.
    expect(body.messages.length).toBeGreaterThanOrEqual(1);
    expect(body.messages.every((m: { to: string; channel: string }) => m.to === PAYER.email && m.channel === "email")).toBe(true);
    expect(body.messages.some((m: { related_id: string }) => m.related_id === w.issued.id)).toBe(true);
    const eventTypes = body.events.map((e: { type: string }) => e.type);
    expect(eventTypes).toEqual(expect.arrayContaining(["invoice.created", "quote.created", "payment_link.created"]));
    expect(body.truncated).toBe(false);

    // Audited as a partner-level entry, the email masked.
    const audit = await auditRows(w.tenant.partnerId, "privacy_export");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.organization_id).toBeNull();
    expect(audit[0]!.action).toBe("exported");
    expect(String(audit[0]!.changes).toLowerCase()).not.toContain(PAYER.email);
    expect(JSON.parse(String(audit[0]!.changes)).after).toMatchObject({ email: "j•••@example.com", invoices: 2, payments: 1 });
  });

  it("answers 200 with empty lists for an email with no data (another partner's payer included)", async () => {
    const a = await createPartner({ name: "A" });
    const b = await createPartner({ name: "B" });
    await seedWorld(b); // B has Jean Dupont as a payer; A has nobody.
    const body = await expectOk(await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token: a.token }));
    for (const kind of ["invoices", "quotes", "payment_links", "payments", "credit_notes", "messages", "events"]) expect(body[kind], kind).toEqual([]);
  });

  it("400 for a missing or malformed email, naming the field", async () => {
    const t = await createPartner();
    for (const q of ["", "?email=not-an-email", "?email="]) {
      const res = await call(`/v1/privacy/payers${q}`, { token: t.token });
      expect(res.status, q).toBe(400);
      expect(res.text, q).toContain("email");
    }
    expect(await auditRows(t.partnerId, "privacy_export")).toHaveLength(0);
  });

  it("403 without the privacy:read scope", async () => {
    const t = await createPartner();
    const token = await accessToken(t.credential, "invoices:read");
    const res = await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token });
    expect(res.status).toBe(403);
    expect(res.text).toContain("privacy:read");
    expect(await auditRows(t.partnerId, "privacy_export")).toHaveLength(0);
    // privacy:write implies privacy:read.
    const writer = await accessToken(t.credential, "privacy:write");
    expect((await call(`/v1/privacy/payers?email=${encodeURIComponent(PAYER.email)}`, { token: writer })).status).toBe(200);
  });
});
