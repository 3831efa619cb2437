// Issue 13: a payment request (no invoice) sent, reminded and cancelled: the messages go to the
// request's own payer (sealed on the link), name its description, and carry no PDF.
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, seedWorld } from "../helpers/harness";
import { api } from "../payments/fixtures";

const NBSP = "\u00a0";
const DESCRIPTION = "Inscription stage de voile, juillet";

async function requestWorld(payer: Record<string, string> = { name: "Camille Martin", email: "camille.martin@example.com", phone: "06 12 34 56 78" }) {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const headers = { "x-entity-id": w.org.id };
  const link = await expectOk(await a.createLink({ amount: 4500, currency: "GBP", payment_methods: ["card"], description: DESCRIPTION, payer }), 201);
  const post = (path: string, body: unknown) => call(`/v1/payment_links/${link.id}/${path}`, { method: "POST", token: t.token, headers, body });
  const message = async (id: string) => expectOk(await call(`/v1/messages/${id}`, { token: t.token, headers }));
  return { t, w, a, link, post, message };
}

describe("outreach for a payment request", () => {
  it("send by email: to the request's payer, the description and amount in its currency, no attachment", async () => {
    const r = await requestWorld();
    const res = await expectOk(await r.post("send", { channel: "email" }));
    expect(res.payment_link.sent_at).toBeTruthy();
    const m = await r.message(res.message.id);
    expect(m).toMatchObject({ channel: "email", template: "payment_link", to: "camille.martin@example.com", attachments: [] });
    expect(m.subject).toContain(`45,00${NBSP}£`);
    expect(m.text).toContain(DESCRIPTION);
    expect(m.text).toContain(r.link.payment_page_url);
    expect(m.text).not.toMatch(/facture/i);
  });

  it("send by SMS: to the request payer's phone (E.164), one text with the description and the link", async () => {
    const r = await requestWorld();
    const res = await expectOk(await r.post("send", { channel: "sms", locale: "en" }));
    const m = await r.message(res.message.id);
    expect(m).toMatchObject({ channel: "sms", to: "+33612345678", attachments: [] });
    expect(m.text).toContain("45,00 £ (Inscription stage de voile, j...)");
    expect(m.text.endsWith(r.link.payment_page_url)).toBe(true);
  });

  it("a payer without a phone: SMS → 422 recipient_missing naming `to`", async () => {
    const r = await requestWorld({ name: "Camille Martin", email: "camille.martin@example.com" });
    const res = await r.post("send", { channel: "sms" });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ code: "recipient_missing", param: "to" });
  });

  it("remind: the request reminder (no due date → reminder_due), counted on the link, naming the description", async () => {
    const r = await requestWorld();
    const res = await expectOk(await r.post("remind", {}));
    expect(res.payment_link.reminder_count).toBe(1);
    const m = await r.message(res.message.id);
    expect(m).toMatchObject({ channel: "email", template: "reminder_due", to: "camille.martin@example.com", attachments: [] });
    expect(m.subject).toBe(`Rappel : demande de paiement de 45,00${NBSP}£ (Mairie de Lyon)`);
    expect(m.text).toContain(`« ${DESCRIPTION} »`);
    expect(m.text).not.toMatch(/facture/i);
  });

  it("cancel after sending: the link is revoked and the payer emailed the cancellation, naming the description", async () => {
    const r = await requestWorld();
    await expectOk(await r.post("send", { channel: "email" }));
    const res = await expectOk(await r.post("cancel", {}));
    expect(res.payment_link.status).toBe("revoked");
    const m = await r.message(res.message.id);
    expect(m).toMatchObject({ template: "link_cancelled", to: "camille.martin@example.com" });
    expect(m.text).toContain(`45,00${NBSP}£ (${DESCRIPTION})`);
  });

  it("cancel a request sent by SMS to a payer without email: revoked, and no email to send", async () => {
    const r = await requestWorld({ name: "Camille Martin", phone: "+33612345678" });
    await expectOk(await r.post("send", { channel: "sms" }));
    const res = await expectOk(await r.post("cancel", {}));
    expect(res.payment_link.status).toBe("revoked");
    expect(res.message).toBeNull();
  });
});
