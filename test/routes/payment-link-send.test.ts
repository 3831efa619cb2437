// Issue 13: a payment link sent, reminded (seed 003 "relance") and cancelled with a notice to the payer.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, seedWorld } from "../helpers/harness";
import { quiesce } from "../helpers/world";
import { link, payableWorld, type Api } from "../payments/fixtures";
import { paidWorld } from "../payments/refund-fixtures";

function post(a: Api, path: string, body?: unknown) {
  return call(path, { method: "POST", token: a.token, headers: { "x-entity-id": a.orgId }, ...(body !== undefined ? { body } : {}) });
}

async function footprint(partnerId: string) {
  const count = async (table: string) =>
    (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE partner_id = ?`).bind(partnerId).first<{ n: number }>())!.n;
  return { messages: await count("messages"), events: await count("events"), audit: await count("audit_logs") };
}

describe("POST /v1/payment_links/{id}/send", () => {
  it("emails the link to the invoice's payer and sets sent_at", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id, { amount: 12000 });
    expect(l).toMatchObject({ sent_at: null, reminder_count: 0, last_reminded_at: null });
    const res = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/send`, { channel: "email" }));
    expect(res.payment_link.sent_at).toBeTruthy();
    expect(res.message).toMatchObject({ channel: "email", template: "payment_link", to: "j•••@example.com", related: { type: "payment_link", id: l.id } });
    const full = await expectOk(await call(`/v1/messages/${res.message.id}`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(full.text).toContain(l.payment_page_url);
    expect(full.text).toContain("120,00");
    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${l.id}&action=sent`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(audit.data).toHaveLength(1);
  });

  it("texts a given number, normalized to E.164 and masked in the answer", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    const res = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/send`, { channel: "sms", to: "06 12 34 56 78" }));
    expect(res.message).toMatchObject({ channel: "sms", attachments: [] });
    expect(res.message.to).toMatch(/^\+336.*78$/);
  });

  it("a bad number → 400 invalid_phone naming `to`, nothing written, sent_at still null", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    const before = await footprint(w.t.partnerId);
    const res = await post(w.api, `/v1/payment_links/${l.id}/send`, { channel: "sms", to: "12" });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_phone", param: "to" });
    expect(await footprint(w.t.partnerId)).toEqual(before);
    expect((await expectOk(await w.api.getLink(l.id))).sent_at).toBeNull();
  });
});

describe("POST /v1/payment_links/{id}/remind", () => {
  it("counts reminders and picks the reminder that fits the due date", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    const first = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/remind`));
    expect(first.message).toMatchObject({ channel: "email", template: "reminder_before_due" });
    const second = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/remind`, { locale: "en" }));
    expect(second.payment_link).toMatchObject({ reminder_count: 2 });
    expect(second.payment_link.last_reminded_at).toBeTruthy();
    expect(second.payment_link.sent_at).toBe(first.payment_link.sent_at);
    expect(second.message.locale).toBe("en");
    const got = await expectOk(await w.api.getLink(l.id));
    expect(got).toMatchObject({ reminder_count: 2, last_reminded_at: second.payment_link.last_reminded_at });

    const overdue = await payableWorld({ dueDate: "2024-01-15" });
    const late = await link(overdue.api, overdue.issued.id);
    const reminded = await expectOk(await post(overdue.api, `/v1/payment_links/${late.id}/remind`));
    expect(reminded.message.template).toBe("reminder_overdue");
  });

  it("a completed link → 409 not_remindable, nothing written", async () => {
    const w = await paidWorld();
    await quiesce(w.t.partnerId);
    const before = await footprint(w.t.partnerId);
    for (const path of [`/v1/payment_links/${w.link.id}/remind`, `/v1/payment_links/${w.link.id}/send`]) {
      const res = await post(w.api, path, { channel: "email" });
      expect(res.status, res.text).toBe(409);
      expect(res.body.error.code).toBe("not_remindable");
    }
    expect(await footprint(w.t.partnerId)).toEqual(before);
  });

  it("a revoked link → 409 not_remindable; another partner's link → 404", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    await expectOk(await w.api.revokeLink(l.id));
    const res = await post(w.api, `/v1/payment_links/${l.id}/remind`);
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.code).toBe("not_remindable");

    const other = await createPartner();
    const ow = await seedWorld(other);
    const foreign = await call(`/v1/payment_links/${l.id}/remind`, { method: "POST", token: other.token, headers: { "x-entity-id": ow.org.id } });
    expect(foreign.status).toBe(404);
  });
});

describe("POST /v1/payment_links/{id}/cancel", () => {
  it("revokes a sent link and tells the payer once", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    await expectOk(await post(w.api, `/v1/payment_links/${l.id}/send`, { channel: "email" }));
    const res = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/cancel`));
    expect(res.payment_link.status).toBe("revoked");
    expect(res.message).toMatchObject({ channel: "email", template: "link_cancelled", to: "j•••@example.com", related: { type: "payment_link", id: l.id } });
    const intent = await expectOk(await w.api.getIntent(l.payment_intent_id));
    expect(intent.status).toBe("canceled");
    const full = await expectOk(await call(`/v1/messages/${res.message.id}`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(full.text).not.toContain(l.payment_page_url);

    // Again: the link stays revoked and the payer gets no second notice.
    const again = await expectOk(await post(w.api, `/v1/payment_links/${l.id}/cancel`));
    expect(again).toMatchObject({ payment_link: { status: "revoked" }, message: null });
    const notices = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE related_id = ? AND template = 'link_cancelled'").bind(l.id).first<{ n: number }>();
    expect(notices!.n).toBe(1);
  });

  it("sends no notice for a link never sent, nor with notify: false", async () => {
    const w = await payableWorld();
    const unsent = await link(w.api, w.issued.id, { amount: 1000 });
    expect(await expectOk(await post(w.api, `/v1/payment_links/${unsent.id}/cancel`))).toMatchObject({ payment_link: { status: "revoked" }, message: null });
    const sent = await link(w.api, w.issued.id, { amount: 1000 });
    await expectOk(await post(w.api, `/v1/payment_links/${sent.id}/send`, { channel: "email" }));
    expect(await expectOk(await post(w.api, `/v1/payment_links/${sent.id}/cancel`, { notify: false }))).toMatchObject({ payment_link: { status: "revoked" }, message: null });
  });

  it("a completed link cannot be cancelled (409) and no notice is written", async () => {
    const w = await payableWorld();
    const l = await link(w.api, w.issued.id);
    await expectOk(await post(w.api, `/v1/payment_links/${l.id}/send`, { channel: "email" }));
    await expectOk(await w.api.simulate(l.payment_intent_id, "succeeded"));
    await quiesce(w.t.partnerId);
    const before = await footprint(w.t.partnerId);
    const res = await post(w.api, `/v1/payment_links/${l.id}/cancel`);
    expect(res.status, res.text).toBe(409);
    expect(await footprint(w.t.partnerId)).toEqual(before);
  });
});
