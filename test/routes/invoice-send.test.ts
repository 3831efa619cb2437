// Issue 13: POST /v1/invoices/{id}/send — the invoice reaches its payer by email or SMS.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld } from "../helpers/harness";
import { issuedInvoice, link, payableWorld, type Api } from "../payments/fixtures";
import { paidWorld } from "../payments/refund-fixtures";

function send(a: Api, invoiceId: string, body: unknown) {
  return call(`/v1/invoices/${invoiceId}/send`, { token: a.token, headers: { "x-entity-id": a.orgId }, body });
}

function getMessage(a: Api, id: string) {
  return call(`/v1/messages/${id}`, { token: a.token, headers: { "x-entity-id": a.orgId } });
}

/** Rows this partner has where a refused send could have written (read in D1 on purpose). */
async function footprint(partnerId: string) {
  const count = async (table: string) =>
    (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE partner_id = ?`).bind(partnerId).first<{ n: number }>())!.n;
  return { messages: await count("messages"), links: await count("payment_links"), events: await count("events"), audit: await count("audit_logs") };
}

describe("POST /v1/invoices/{id}/send", () => {
  it("emails an issued invoice with a new payment link, the PDF attached, and emits invoice.sent", async () => {
    const w = await payableWorld();
    const res = await send(w.api, w.issued.id, { channel: "email" });
    expect(res.status, res.text).toBe(200);
    const { invoice, payment_link, message } = res.body;
    expect(invoice).toMatchObject({ id: w.issued.id, status: "issued" });
    // No link was active: one was created for what is due, with every method, and marked sent.
    expect(payment_link).toMatchObject({ invoice_id: w.issued.id, status: "active", amount: 42200, payment_methods: ["sepa_credit", "card"], reminder_count: 0 });
    expect(payment_link.sent_at).toBeTruthy();
    expect(message).toMatchObject({ object: "message", channel: "email", template: "invoice", locale: "fr", to: "j•••@example.com", status: "queued", related: { type: "invoice", id: w.issued.id } });
    expect(message.attachments).toEqual([expect.objectContaining({ content_type: "application/pdf", filename: expect.stringContaining(".pdf") })]);

    // The sandbox outbox: what the payer would read, with the amount in French format and the page.
    const full = await expectOk(await getMessage(w.api, message.id));
    expect(full.text).toContain(payment_link.payment_page_url);
    expect(full.text).toContain("422,00");
    expect(full.html).toContain(payment_link.payment_page_url);
    expect(full.attachments).toEqual([expect.objectContaining({ content_type: "application/pdf" })]);
    const listed = await expectOk(await call(`/v1/messages?related_object=${w.issued.id}`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(listed.data.map((m: { id: string }) => m.id)).toEqual([message.id]);

    const events = await expectOk(await call("/v1/events?type=invoice.sent", { token: w.t.token }));
    expect(events.data).toHaveLength(1);
    expect(events.data[0].data).toMatchObject({ invoice_id: w.issued.id, message_id: message.id, payment_link_id: payment_link.id, channel: "email", invoice: { id: w.issued.id } });
    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${w.issued.id}&action=sent`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(audit.data).toHaveLength(1);
    const linkAfter = await expectOk(await w.api.getLink(payment_link.id));
    expect(linkAfter.sent_at).toBe(payment_link.sent_at);
  });

  it("keeps the payer sealed in the stored invoice.sent event, and a retried request sends nothing twice", async () => {
    const w = await payableWorld();
    const headers = { "x-entity-id": w.org.id, "idempotency-key": "send-once" };
    const first = await expectOk(await call(`/v1/invoices/${w.issued.id}/send`, { token: w.t.token, headers, body: { channel: "email" } }));
    const replay = await call(`/v1/invoices/${w.issued.id}/send`, { token: w.t.token, headers, body: { channel: "email" } });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.message.id).toBe(first.message.id);
    const stored = await env.DB.prepare("SELECT data, data_encrypted FROM events WHERE partner_id = ? AND type = 'invoice.sent'").bind(w.t.partnerId).all<{ data: string; data_encrypted: string | null }>();
    expect(stored.results).toHaveLength(1);
    expect(JSON.parse(stored.results[0]!.data).invoice.payer).toBeNull();
    expect(stored.results[0]!.data).not.toContain("jean.dupont");
    expect(stored.results[0]!.data_encrypted).toBeTruthy();
    expect((await footprint(w.t.partnerId)).messages).toBe(1);
  });

  it("reuses the invoice's active link instead of creating another", async () => {
    const w = await payableWorld();
    const existing = await link(w.api, w.issued.id, { amount: 10000 });
    const res = await expectOk(await send(w.api, w.issued.id, { channel: "email", locale: "en" }));
    expect(res.payment_link.id).toBe(existing.id);
    expect(res.message.locale).toBe("en");
    const links = await expectOk(await w.api.listLinks(`invoice_id=${w.issued.id}`));
    expect(links.data).toHaveLength(1);
  });

  it("texts the payer's phone for channel sms, with no attachment", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    const body = seedInvoiceBody(w.dept.id);
    const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...body, due_date: "2099-01-01", payer: { ...body.payer, phone: "+33612345678" } } }), 201);
    expect(draft.payer.phone).toBe("+33612345678");
    await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
    const res = await expectOk(await call(`/v1/invoices/${draft.id}/send`, { token: t.token, headers, body: { channel: "sms" } }));
    expect(res.message).toMatchObject({ channel: "sms", template: "invoice", attachments: [] });
    expect(res.message.to).toMatch(/^\+336.*78$/);
    expect(res.message.to).not.toBe("+33612345678");
    const full = await expectOk(await call(`/v1/messages/${res.message.id}`, { token: t.token, headers }));
    expect(full.text).toContain(res.payment_link.payment_page_url);
  });

  it("refuses a payer phone that is not a valid number (400 naming payer.phone)", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const body = seedInvoiceBody(w.dept.id);
    const res = await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": w.org.id }, body: { ...body, payer: { ...body.payer, phone: "0612" } } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.param).toBe("payer.phone");
  });

  describe("refusals write nothing", () => {
    const cases: { name: string; status: number; code: string; param?: string; setup: (w: Awaited<ReturnType<typeof payableWorld>>) => Promise<{ id: string; body: unknown }> }[] = [
      { name: "a draft", status: 409, code: "invoice_not_issued", setup: async (w) => ({ id: w.invoice.id, body: { channel: "email" } }) },
      {
        name: "a cancelled invoice",
        status: 409,
        code: "invoice_not_sendable",
        setup: async (w) => {
          const other = await issuedInvoice(w.api, w.dept.id);
          await expectOk(await w.api.cancelInvoice(other.id));
          return { id: other.id, body: { channel: "email" } };
        },
      },
      { name: "sms to a payer without a phone", status: 422, code: "recipient_missing", param: "to", setup: async (w) => ({ id: w.issued.id, body: { channel: "sms" } }) },
      { name: "a bad phone number", status: 400, code: "invalid_phone", param: "to", setup: async (w) => ({ id: w.issued.id, body: { channel: "sms", to: "+33 1" } }) },
      { name: "a bad email address", status: 400, code: "invalid_email", param: "to", setup: async (w) => ({ id: w.issued.id, body: { channel: "email", to: "not-an-email" } }) },
      { name: "an unknown channel", status: 400, code: "invalid_parameter", param: "channel", setup: async (w) => ({ id: w.issued.id, body: { channel: "fax" } }) },
      { name: "an unknown invoice", status: 404, code: "resource_missing", setup: async () => ({ id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", body: { channel: "email" } }) },
    ];
    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
      const w = await payableWorld();
      const { id, body } = await c.setup(w);
      const before = await footprint(w.t.partnerId);
      const res = await send(w.api, id, body);
      expect(res.status, res.text).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
      if (c.param) expect(res.body.error.param).toBe(c.param);
      expect(await footprint(w.t.partnerId)).toEqual(before);
    });
  });

  it("a paid invoice is not sendable (409)", async () => {
    const w = await paidWorld();
    const res = await send(w.api, w.invoice.id, { channel: "email" });
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.code).toBe("invoice_not_sendable");
  });

  it("another partner's invoice is 404", async () => {
    const w = await payableWorld();
    const other = await createPartner();
    const otherWorld = await seedWorld(other);
    const res = await call(`/v1/invoices/${w.issued.id}/send`, { token: other.token, headers: { "x-entity-id": otherWorld.org.id }, body: { channel: "email" } });
    expect(res.status).toBe(404);
  });
});
