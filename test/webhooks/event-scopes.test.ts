import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, seedWorld, type Tenant } from "../helpers/harness";

/**
 * Issue 10 §7 "Event payloads bypass resource scopes": an event's payload is a copy of an
 * invoice, payment link, payment intent, refund or bank account, so reading it needs the read
 * scope of that object. `webhooks:read` alone sees that events exist and how their deliveries
 * went (to monitor endpoints), never what they carry.
 */

const PAYER_EMAIL = "jean.dupont@example.com";

/** Seed 001's flow up to a partial refund: an event of every object type but bank accounts. */
async function flowWithEvents(t: Tenant) {
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  await expectOk(await call(`/v1/invoices/${w.invoice.id}/issue`, { method: "POST", token: t.token, headers }));
  const link = await expectOk(
    await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: w.invoice.id, payment_methods: ["sepa_credit"], expires_at: "2099-03-31T23:59:59Z" } }),
    201,
  );
  await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));
  await expectOk(await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: link.payment_intent_id, amount: 1000 } }), 201);
  const all = await expectOk(await call("/v1/events?page_size=100", { token: t.token }));
  const byType = (type: string) => all.data.find((e: { type: string }) => e.type === type);
  return { w, link, events: all.data as { id: string; type: string; data: Record<string, unknown> }[], byType };
}

async function tokenWith(t: Tenant, scopes: string[]) {
  return accessToken(await issueCredential(t.partnerId, "test", scopes));
}

describe("event payloads need the read scope of the object they carry", () => {
  it("webhooks:read lists every event without its payload, and GET of one answers 403 naming the scope", async () => {
    const t = await createPartner();
    const { link, events, byType } = await flowWithEvents(t);
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(["invoice.created", "invoice.status_changed", "payment_link.created", "payment_intent.status_changed", "refund.created"]),
    );
    // The partner's own credential sees the payloads (control).
    expect(JSON.stringify(events)).toContain(PAYER_EMAIL);
    expect(JSON.stringify(events)).toContain(link.payment_page_url);

    const reader = await tokenWith(t, ["webhooks:read"]);
    const listed = await call("/v1/events?page_size=100", { token: reader });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual(events.map((e) => e.id));
    for (const e of listed.body.data) {
      expect(e).toMatchObject({ data: null, object_version: null, data_redacted: true });
      expect(e.data_scope).toBe({ invoice: "invoices:read", payment_link: "payments:read", payment_intent: "payments:read", refund: "refunds:read" }[e.type.split(".")[0] as string]);
    }
    expect(listed.text).not.toContain(PAYER_EMAIL);
    expect(listed.text).not.toContain("Jean Dupont");
    expect(listed.text).not.toContain(link.payment_page_url);

    for (const [type, scope] of [
      ["invoice.created", "invoices:read"],
      ["payment_link.created", "payments:read"],
      ["payment_intent.status_changed", "payments:read"],
      ["refund.created", "refunds:read"],
    ] as const) {
      const res = await call(`/v1/events/${byType(type).id}`, { token: reader });
      expect(res.status, type).toBe(403);
      expect(res.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
      expect(res.body.error.message, type).toContain(`'${scope}'`);
      expect(res.text).not.toContain(PAYER_EMAIL);
    }
    // The deliveries of an event say nothing of its payload: still readable for monitoring.
    expect((await call(`/v1/events/${byType("invoice.created").id}/deliveries`, { token: reader })).status).toBe(200);
  });

  it("with invoices:read too, invoice events show their payload and the others stay withheld", async () => {
    const t = await createPartner();
    const { byType } = await flowWithEvents(t);
    const token = await tokenWith(t, ["webhooks:read", "invoices:read"]);
    const listed = await expectOk(await call("/v1/events?page_size=100", { token }));
    for (const e of listed.data) {
      const invoice = e.type.startsWith("invoice.");
      expect(e.data_redacted, e.type).toBe(!invoice);
      if (invoice) expect(e.data.invoice, e.type).toMatchObject({ id: byType(e.type).data.invoice_id });
      else expect(e.data, e.type).toBeNull();
    }
    const invoiceEvent = await call(`/v1/events/${byType("invoice.created").id}`, { token });
    expect(invoiceEvent.status).toBe(200);
    expect(invoiceEvent.body).toMatchObject({ data_redacted: false, data_scope: "invoices:read" });
    expect(invoiceEvent.text).toContain(PAYER_EMAIL);
    expect((await call(`/v1/events/${byType("payment_link.created").id}`, { token })).status).toBe(403);

    // A write scope implies its read scope, as everywhere else.
    const writer = await tokenWith(t, ["webhooks:read", "payments:write"]);
    const linkEvent = await call(`/v1/events/${byType("payment_link.created").id}`, { token: writer });
    expect(linkEvent.status, linkEvent.text).toBe(200);
    expect(linkEvent.body.data.payment_link).toBeTruthy();
  });
});

describe("webhook subscriptions: choosing who receives payloads needs their read scopes", () => {
  const url = "http://127.0.0.1:9999/hook";
  const subscriptionCount = async (t: Tenant) => (await expectOk(await call("/v1/webhook_subscriptions", { token: t.token }))).pagination.total_items;

  it("webhooks:write alone cannot subscribe to invoices or to everything (403 naming the scope, nothing written)", async () => {
    const t = await createPartner();
    const writer = await tokenWith(t, ["webhooks:write"]);
    for (const [events, scope] of [
      [["invoice.created"], "invoices:read"],
      [["*"], "invoices:read"],
      [["refund.created", "payment_link.created"], "refunds:read"],
    ] as const) {
      const res = await call("/v1/webhook_subscriptions", { token: writer, body: { url, events } });
      expect(res.status, res.text).toBe(403);
      expect(res.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
      expect(res.body.error.message).toContain(`'${scope}'`);
      expect(res.text).not.toContain("whsec_");
    }
    expect(await subscriptionCount(t)).toBe(0);

    const invoices = await tokenWith(t, ["webhooks:write", "invoices:read"]);
    const created = await call("/v1/webhook_subscriptions", { token: invoices, body: { url, events: ["invoice.created", "invoice.status_changed"] } });
    expect(created.status, created.text).toBe(201);
  });

  it("pointing an existing subscription elsewhere needs the scopes of its events; other changes do not", async () => {
    const t = await createPartner();
    const everything = await expectOk(await call("/v1/webhook_subscriptions", { token: t.token, body: { url, events: ["*"] } }), 201);
    const invoices = await tokenWith(t, ["webhooks:write", "invoices:read"]);
    const moved = await call(`/v1/webhook_subscriptions/${everything.id}`, { method: "PATCH", token: invoices, body: { url: "http://127.0.0.1:9998/mine" } });
    expect(moved.status, moved.text).toBe(403);
    expect(moved.body.error.message).toContain("'payments:read'");
    const narrowed = await call(`/v1/webhook_subscriptions/${everything.id}`, { method: "PATCH", token: invoices, body: { events: ["invoice.created"] } });
    expect(narrowed.status, narrowed.text).toBe(200);
    const described = await call(`/v1/webhook_subscriptions/${everything.id}`, { method: "PATCH", token: await tokenWith(t, ["webhooks:write"]), body: { description: "Comptabilité" } });
    expect(described.status, described.text).toBe(200);
    expect((await expectOk(await call(`/v1/webhook_subscriptions/${everything.id}`, { token: t.token }))).url).toBe(url);
  });
});
