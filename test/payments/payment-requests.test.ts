import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED, seedWorld, VALID_ORGANIZATION, type CallResult } from "../helpers/harness";
import { api, eventsOf, expectError, FUTURE_EXPIRY, issuedInvoice, liveToken, rowCounts, SEED_TOTAL, type Api } from "./fixtures";

/**
 * Payment requests without an invoice (issue 13, seed 003 "demande de paiement"): POST
 * /v1/payment_links with amount + description + payer, sent at once by email or SMS, listed with
 * seed 003's filters, paid like any link. Every test makes its own partner; refused requests are
 * checked to have written nothing (messages included).
 */

const NBSP = "\u00a0";
const JEAN = { name: "Jean Dupont", email: "jean.dupont@example.com", phone: "06 12 34 56 78" };

function request(extra: Record<string, unknown> = {}) {
  return { amount: 4500, description: "Inscription stage de voile, juillet", payer: JEAN, ...extra };
}

async function requestWorld() {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  return { t, w, a, headers: { "x-entity-id": w.org.id } };
}

/** Every row a link creation may write, messages included. */
async function allRows(partnerId: string) {
  const messages = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE partner_id = ?").bind(partnerId).first<{ n: number }>();
  return { ...(await rowCounts(partnerId)), messages: messages!.n };
}

async function refused(partnerId: string, send: () => Promise<CallResult>, status: number, error: Record<string, unknown>) {
  const before = await allRows(partnerId);
  const res = await send();
  expectError(res, status, error);
  expect(await allRows(partnerId)).toEqual(before);
  return res;
}

describe("POST /v1/payment_links: a payment request", () => {
  it("creates a request in EUR (SEPA and card by default), USD and GBP (card by default), readable back with its payer", async () => {
    const { a } = await requestWorld();
    const eur = await expectOk(await a.createLink(request()), 201);
    expect(eur).toMatchObject({
      object: "payment_link",
      invoice_id: null,
      amount: 4500,
      currency: "EUR",
      description: "Inscription stage de voile, juillet",
      payer: { name: "Jean Dupont", email: "jean.dupont@example.com", phone: "+33612345678" },
      payment_methods: ["sepa_credit", "card"],
      type: "standard",
      page: "standard",
      status: "active",
      sent_at: null,
    });
    expect((await a.getLink(eur.id)).body).toEqual(eur);
    const intent = await expectOk(await a.getIntent(eur.payment_intent_id));
    expect(intent).toMatchObject({ invoice_id: null, amount: 4500, currency: "EUR", status: "created", capture_method: "automatic" });

    const usd = await expectOk(await a.createLink(request({ amount: 12_000, currency: "USD", payer: { name: "Ann Smith" } })), 201);
    expect(usd).toMatchObject({ amount: 12_000, currency: "USD", payment_methods: ["card"], payer: { name: "Ann Smith", email: null, phone: null } });
    const gbp = await expectOk(await a.createLink(request({ amount: 999, currency: "GBP", page: "short", payment_methods: ["card"] })), 201);
    expect(gbp).toMatchObject({ amount: 999, currency: "GBP", page: "short", payment_methods: ["card"] });
    expect(await expectOk(await a.getIntent(gbp.payment_intent_id))).toMatchObject({ currency: "GBP", amount: 999 });

    // A hold request: card only by default.
    const hold = await expectOk(await a.createLink(request({ type: "preauth", amount: 15_000 })), 201);
    expect(hold).toMatchObject({ type: "preauth", payment_methods: ["card"], currency: "EUR" });
    expect(await expectOk(await a.getIntent(hold.payment_intent_id))).toMatchObject({ capture_method: "manual", amount_authorized: null, capture_before: null });
  });

  it("keeps the payer sealed at rest, in the event and in the audit trail, and gives it back through the events API", async () => {
    const { t, a, headers } = await requestWorld();
    const created = await expectOk(await a.createLink(request()), 201);
    const row = await env.DB.prepare("SELECT * FROM payment_links WHERE id = ?").bind(created.id).first<Record<string, string | null>>();
    expect(JSON.stringify(row)).not.toContain("jean.dupont");
    expect(JSON.stringify(row)).not.toContain("Dupont");
    expect(row!.payer_encrypted).toBeTruthy();
    expect(row!.payer_name_hash).toBeTruthy();
    expect(row!.payer_email_hash).toBeTruthy();

    const [event] = await eventsOf(t.partnerId, "payment_link.created");
    expect(event!.data.payment_link.payer).toBeNull();
    expect(event!.data.payment_link.amount).toBe(4500);
    const stored = await env.DB.prepare("SELECT data_encrypted FROM events WHERE id = ?").bind(event!.id).first<{ data_encrypted: string | null }>();
    expect(stored!.data_encrypted).toBeTruthy();
    const viaApi = await expectOk(await call(`/v1/events/${event!.id}`, { token: t.token, headers }));
    expect(viaApi.data.payment_link).toMatchObject({ id: created.id, amount: 4500, payer: { name: "Jean Dupont", email: "jean.dupont@example.com", phone: "+33612345678" } });

    const audit = await env.DB.prepare("SELECT changes FROM audit_logs WHERE partner_id = ? AND resource_id = ? AND action = 'created'").bind(t.partnerId, created.id).first<{ changes: string }>();
    expect(audit!.changes).not.toContain("jean.dupont");
    expect(audit!.changes).not.toContain("Dupont");
    expect(JSON.parse(audit!.changes).after).toMatchObject({ amount: 4500, description: "Inscription stage de voile, juillet", payer: { name: "J*** D*****" } });
  });

  it("refuses bad requests naming the field, and writes nothing", async () => {
    const { t, a, w } = await requestWorld();
    const invoice = await issuedInvoice(a, w.dept.id);
    const other = await requestWorld();
    const cases: [Record<string, unknown>, number, Record<string, unknown>][] = [
      [{}, 400, { param: "invoice_id" }],
      [{ payment_methods: ["card"] }, 400, { param: "invoice_id" }],
      [{ invoice_id: invoice.id, description: "x" }, 400, { param: "description" }],
      [{ invoice_id: invoice.id, payer: JEAN }, 400, { param: "payer" }],
      [{ invoice_id: invoice.id, currency: "EUR" }, 400, { param: "currency" }],
      [{ invoice_id: invoice.id, department_id: w.dept.id }, 400, { param: "department_id" }],
      [{ invoice_id: invoice.id, send: { channel: "email" } }, 400, { param: "send" }],
      [{ ...request(), invoice_id: invoice.id }, 400, { param: "description" }],
      [{ amount: 4500, description: "x" }, 400, { param: "payer" }],
      [{ amount: 4500, payer: JEAN }, 400, { param: "description" }],
      [{ description: "x", payer: JEAN }, 400, { param: "amount" }],
      [request({ amount: 0 }), 400, { param: "amount" }],
      [request({ amount: 12.5 }), 400, { param: "amount" }],
      [request({ description: "" }), 400, { param: "description" }],
      [request({ description: "x".repeat(501) }), 400, { param: "description" }],
      [request({ currency: "JPY" }), 400, { param: "currency" }],
      [request({ currency: "USD", payment_methods: ["sepa_credit", "card"] }), 400, { code: "currency_not_supported", param: "payment_methods" }],
      [request({ currency: "GBP", payment_methods: ["sepa_credit"] }), 400, { code: "currency_not_supported", param: "payment_methods" }],
      [request({ type: "preauth", payment_methods: ["sepa_credit"] }), 400, { code: "preauth_card_only", param: "payment_methods" }],
      [request({ payer: { name: "" } }), 400, { param: "payer.name" }],
      [request({ payer: { name: "Jean", email: "jean@" } }), 400, { param: "payer.email" }],
      [request({ payer: { name: "Jean", phone: "06 12" } }), 400, { code: "invalid_phone", param: "payer.phone" }],
      [request({ payer: { name: "Jean", iban: "FR76" } }), 400, { param: "payer.iban" }],
      [request({ expires_at: "2024-01-01T00:00:00Z" }), 400, { code: "expires_at_in_past", param: "expires_at" }],
      [request({ send: { channel: "fax" } }), 400, { param: "send.channel" }],
      [request({ send: { channel: "sms", to: "12" } }), 400, { code: "invalid_phone", param: "send.to" }],
      [request({ send: { channel: "email", to: "nobody@" } }), 400, { code: "invalid_email", param: "send.to" }],
      [request({ department_id: "dep-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }), 404, { code: "resource_missing", param: "department_id" }],
      [request({ department_id: other.w.dept.id }), 404, { code: "resource_missing", param: "department_id" }],
      [request({ department_id: "nonsense" }), 404, { param: "department_id" }],
    ];
    for (const [body, status, error] of cases) {
      await refused(t.partnerId, () => a.createLink(body), status, error);
    }
  });

  it("refuses to send to nobody: 422 recipient_missing, and neither link nor message is written", async () => {
    const { t, a } = await requestWorld();
    await refused(t.partnerId, () => a.createLink(request({ payer: { name: "Jean Dupont", email: "jean.dupont@example.com" }, send: { channel: "sms" } })), 422, {
      code: "recipient_missing",
      param: "send.to",
    });
    await refused(t.partnerId, () => a.createLink(request({ payer: { name: "Jean Dupont", phone: "+33612345678" }, send: { channel: "email" } })), 422, {
      code: "recipient_missing",
      param: "send.to",
    });
  });

  it("sends at creation by email and by SMS (test mode: the outbox shows the text, the amount in French format and the link)", async () => {
    const { t, a, headers } = await requestWorld();
    const before = await allRows(t.partnerId);
    const byEmail = await expectOk(await a.createLink(request({ send: { channel: "email" } })), 201);
    expect(byEmail.sent_at).toBe(byEmail.created_at);
    const bySms = await expectOk(await a.createLink(request({ amount: 123_456, send: { channel: "sms", locale: "en" } })), 201);
    expect((await allRows(t.partnerId)).messages).toBe(before.messages + 2);
    const sent = await env.DB.prepare("SELECT changes FROM audit_logs WHERE partner_id = ? AND resource_id = ? AND action = 'sent'").bind(t.partnerId, byEmail.id).first<{ changes: string }>();
    expect(JSON.parse(sent!.changes).after).toMatchObject({ channel: "email", locale: "fr", template: "payment_link" });

    const emails = await expectOk(await call(`/v1/messages?related_object=${byEmail.id}`, { token: t.token, headers }));
    expect(emails.data).toHaveLength(1);
    const email = await expectOk(await call(`/v1/messages/${emails.data[0].id}`, { token: t.token, headers }));
    expect(email).toMatchObject({ channel: "email", template: "payment_link", locale: "fr", to: "jean.dupont@example.com", related: { type: "payment_link", id: byEmail.id } });
    expect(email.subject).toContain(`45,00${NBSP}€`);
    expect(email.text).toContain(`45,00${NBSP}€`);
    expect(email.text).toContain("Inscription stage de voile, juillet");
    expect(email.text).toContain(byEmail.payment_page_url);
    expect(email.html).toContain(byEmail.payment_page_url);
    expect(email.attachments).toEqual([]);

    const texts = await expectOk(await call(`/v1/messages?related_object=${bySms.id}`, { token: t.token, headers }));
    const sms = await expectOk(await call(`/v1/messages/${texts.data[0].id}`, { token: t.token, headers }));
    expect(sms).toMatchObject({ channel: "sms", template: "payment_link", locale: "en", to: "+33612345678", html: null });
    // GSM-7: the French format's no-break spaces become plain spaces in an SMS.
    expect(sms.text).toContain("1 234,56 €");
    expect(sms.text).toContain(bySms.payment_page_url);

    // A request in another currency says so.
    const dollars = await expectOk(await a.createLink(request({ amount: 12_000, currency: "USD", send: { channel: "email", locale: "en" } })), 201);
    const [usd] = (await expectOk(await call(`/v1/messages?related_object=${dollars.id}`, { token: t.token, headers }))).data;
    const usdText = (await expectOk(await call(`/v1/messages/${usd.id}`, { token: t.token, headers }))).text as string;
    expect(usdText).toContain(`120,00${NBSP}$`);
    expect(usdText).not.toContain("€");

    // `send.to` wins over the payer's own address.
    const elsewhere = await expectOk(await a.createLink(request({ send: { channel: "email", to: "Compta@Example.org" } })), 201);
    const [m] = (await expectOk(await call(`/v1/messages?related_object=${elsewhere.id}`, { token: t.token, headers }))).data;
    expect((await expectOk(await call(`/v1/messages/${m.id}`, { token: t.token, headers }))).to).toBe("compta@example.org");
  });
});

describe("GET /v1/payment_links: seed 003's filters", () => {
  /** A generated set: requests of several payers, amounts, currencies and types, plus an invoice's link. */
  async function filterWorld() {
    const { t, a, w, headers } = await requestWorld();
    const make = async (body: Record<string, unknown>) => expectOk(await a.createLink(body), 201);
    const r1 = await make(request({ amount: 1000, payer: { name: "Jean Dupont", email: "jean.dupont@example.com" } }));
    const r2 = await make(request({ amount: 5000, payer: { name: "Élodie Martin", email: "Elodie.Martin@Example.com" } }));
    const r3 = await make(request({ amount: 20_000, currency: "USD", payer: { name: "Ann Smith" } }));
    const r4 = await make(request({ amount: 7500, currency: "GBP", payer: { name: "jean  DUPONT" } }));
    const hold = await make(request({ amount: 3000, type: "preauth", payer: { name: "Paul Durand", email: "paul@example.com" } }));
    const invoice = await issuedInvoice(a, w.dept.id);
    const inv = await make({ invoice_id: invoice.id, amount: 2500 });
    // Reach into D1 on purpose: r1 was created in January (a partner's history).
    await env.DB.prepare("UPDATE payment_links SET created_at = '2026-01-15T10:00:00.000Z' WHERE id = ?").bind(r1.id).run();
    const ids = async (query: string) => {
      const res = await expectOk(await a.listLinks(`${query}&page_size=100`));
      return (res.data as { id: string }[]).map((l) => l.id).sort();
    };
    return { t, a, headers, r1, r2, r3, r4, hold, inv, ids };
  }
  const sorted = (...links: { id: string }[]) => links.map((l) => l.id).sort();

  it("filters by payer name (normalized), payer email, amounts, currency, type, dates and invoice", async () => {
    const { r1, r2, r3, r4, hold, inv, ids } = await filterWorld();
    expect(await ids("payer_name=jean%20dupont")).toEqual(sorted(r1, r4));
    expect(await ids("payer_name=ELODIE%20MARTIN")).toEqual(sorted(r2));
    expect(await ids("payer_name=Jean")).toEqual([]);
    expect(await ids("payer_email=elodie.martin%40example.com")).toEqual(sorted(r2));
    expect(await ids("payer_email=JEAN.DUPONT%40EXAMPLE.COM")).toEqual(sorted(r1));
    expect(await ids("min_amount=5000")).toEqual(sorted(r2, r3, r4));
    expect(await ids("max_amount=3000")).toEqual(sorted(r1, hold, inv));
    expect(await ids("min_amount=2500&max_amount=5000")).toEqual(sorted(r2, hold, inv));
    expect(await ids("currency=USD")).toEqual(sorted(r3));
    expect(await ids("currency=EUR")).toEqual(sorted(r1, r2, hold, inv));
    expect(await ids("type=preauth")).toEqual(sorted(hold));
    expect(await ids("type=standard")).toEqual(sorted(r1, r2, r3, r4, inv));
    expect(await ids("created_to=2026-01-31")).toEqual(sorted(r1));
    expect(await ids("created_from=2026-02-01")).toEqual(sorted(r2, r3, r4, hold, inv));
    expect(await ids("created_from=2026-01-15T10:00:00Z&created_to=2026-01-15")).toEqual(sorted(r1));
    expect(await ids(`invoice_id=${inv.invoice_id}`)).toEqual(sorted(inv));
    expect(await ids("payer_name=jean%20dupont&currency=GBP")).toEqual(sorted(r4));
  });

  it("filters status: stored statuses, `reminded` (active and reminded) and `preauthorized` (a hold authorized, not captured)", async () => {
    const { a, r1, r2, r3, r4, hold, inv, ids } = await filterWorld();
    expect(await ids("status=active")).toEqual(sorted(r1, r2, r3, r4, hold, inv));
    expect(await ids("status=reminded")).toEqual([]);
    await expectOk(await call(`/v1/payment_links/${inv.id}/remind`, { token: a.token, headers: { "x-entity-id": a.orgId }, body: { channel: "email" } }));
    expect(await ids("status=reminded")).toEqual(sorted(inv));

    expect(await ids("status=preauthorized")).toEqual([]);
    await expectOk(await a.simulate(hold.payment_intent_id, "succeeded"));
    expect(await expectOk(await a.getIntent(hold.payment_intent_id))).toMatchObject({ status: "requires_capture", amount_authorized: 3000 });
    expect(await ids("status=preauthorized")).toEqual(sorted(hold));
    expect(await ids("status=completed")).toEqual(sorted(hold));

    await expectOk(await a.revokeLink(r2.id));
    expect(await ids("status=revoked")).toEqual(sorted(r2));
  });

  it("refuses bad filter values with 400 naming the query parameter", async () => {
    const { a } = await requestWorld();
    for (const [query, param] of [
      ["min_amount=abc", "min_amount"],
      ["min_amount=-1", "min_amount"],
      ["max_amount=1.5", "max_amount"],
      ["min_amount=500&max_amount=100", "max_amount"],
      ["currency=JPY", "currency"],
      ["type=caution", "type"],
      ["status=paid", "status"],
      ["created_from=yesterday", "created_from"],
      ["created_to=2026-13-01", "created_to"],
      ["payer_name=", "payer_name"],
      ["payer_nom=Jean", "payer_nom"],
    ] as const) {
      expectError(await a.listLinks(query), 400, { type: "invalid_request_error", param });
    }
  });

  it("shows each request's payer in the list, and null for an invoice's link", async () => {
    const { a, r2, inv } = await filterWorld();
    const list = await expectOk(await a.listLinks("page_size=100"));
    const byId = new Map((list.data as { id: string; payer: unknown; description: string | null }[]).map((l) => [l.id, l]));
    expect(byId.get(r2.id)).toMatchObject({ payer: { name: "Élodie Martin", email: "Elodie.Martin@Example.com", phone: null }, description: "Inscription stage de voile, juillet" });
    expect(byId.get(inv.id)).toMatchObject({ payer: null, description: null });
  });
});

describe("a request's payment", () => {
  it("appears in GET /v1/payments like any other, without an invoice", async () => {
    const { a } = await requestWorld();
    const link = await expectOk(await a.createLink(request({ amount: 8800 })), 201);
    await expectOk(await a.simulate(link.payment_intent_id, "succeeded"));
    expect(await expectOk(await a.getIntent(link.payment_intent_id))).toMatchObject({ status: "succeeded", amount_received: 8800, invoice_id: null });
    expect((await expectOk(await a.getLink(link.id))).status).toBe("completed");
    const payments = await expectOk(await a.listPayments());
    expect(payments.data).toHaveLength(1);
    expect(payments.data[0]).toMatchObject({ object: "payment", invoice_id: null, payment_link_id: link.id, payment_intent_id: link.payment_intent_id, amount: 8800, currency: "EUR", status: "completed" });
    expect(await expectOk(await a.getPayment(payments.data[0].id))).toEqual(payments.data[0]);
  });
});

describe("an invoice's link counts a hold not yet captured", () => {
  it("reserves the amount of an authorized hold: the next link gets only the rest", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    const invoice = await issuedInvoice(a, w.dept.id);
    const hold = await expectOk(await a.createLink({ invoice_id: invoice.id, type: "preauth", amount: 20_000 }), 201);
    expect(hold.payment_methods).toEqual(["card"]);
    await expectOk(await a.simulate(hold.payment_intent_id, "succeeded"));
    expect(await expectOk(await a.getIntent(hold.payment_intent_id))).toMatchObject({ status: "requires_capture" });
    expect((await expectOk(await a.getLink(hold.id))).status).toBe("completed");

    const before = await allRows(t.partnerId);
    const res = await a.createLink({ invoice_id: invoice.id, amount: SEED_TOTAL - 20_000 + 1 });
    expectError(res, 422, { code: "amount_exceeds_due", param: "amount" });
    expect(await allRows(t.partnerId)).toEqual(before);
    const rest = await expectOk(await a.createLink({ invoice_id: invoice.id }), 201);
    expect(rest).toMatchObject({ amount: SEED_TOTAL - 20_000, payment_methods: ["sepa_credit", "card"] });
  });
});

describe("tenancy and live mode", () => {
  it("hides a request from another partner, another organization and the live mode (404)", async () => {
    const { t, a } = await requestWorld();
    const link = await expectOk(await a.createLink(request()), 201);
    const stranger = await requestWorld();
    expectError(await api(stranger.t.token, a.orgId).getLink(link.id), 404, {});
    expectError(await stranger.a.getLink(link.id), 404, { code: "resource_missing" });
    expect((await expectOk(await stranger.a.listLinks("payer_name=jean%20dupont"))).data).toEqual([]);
    const sibling = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Autre mairie" } }), 201);
    expectError(await api(t.token, sibling.id).getLink(link.id), 404, { code: "resource_missing" });
    expectError(await api(await liveToken(t), a.orgId).getLink(link.id), 404, {});
  });

  it("live: a request needs a department (422 department_required) whose default account is KYC-verified", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const LIVE_ORG = { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } };
    const org = await expectOk(await call("/v1/organizations", { token: live, body: LIVE_ORG }), 201);
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
    const a: Api = api(live, org.id);
    await refused(t.partnerId, () => a.createLink(request({ return_url: "https://votreapp.fr/ok" })), 422, { code: "department_required", param: "department_id" });
    await refused(t.partnerId, () => a.createLink(request({ department_id: dept.id })), 422, { code: "bank_account_required", param: "department_id" });
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: "FR7630006000011234567890189" } }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
    await refused(t.partnerId, () => a.createLink(request({ department_id: dept.id })), 422, { code: "kyc_not_verified", param: "department_id" });
    // The operator's decision (no API for it yet): the KYC is verified.
    await env.DB.prepare("UPDATE kyc_verifications SET status = 'verified' WHERE id = ?").bind(kyc.id).run();
    const created = await expectOk(await a.createLink(request({ department_id: dept.id, expires_at: FUTURE_EXPIRY })), 201);
    expect(created).toMatchObject({ livemode: true, invoice_id: null, amount: 4500 });
  });
});
