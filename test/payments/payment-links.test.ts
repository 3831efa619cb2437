import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION, type CallResult } from "../helpers/harness";
import {
  api,
  d1Link,
  eventsOf,
  expectError,
  FUTURE_EXPIRY,
  intentStub,
  tenantOf,
  issuedInvoice,
  link,
  liveToken,
  payableWorld,
  PAYER,
  rowCounts,
  SEED_TOTAL,
  seedLinkBody,
  UNKNOWN_INVOICE,
  type Api,
} from "./fixtures";

/**
 * POST/GET/DELETE /v1/payment_links (seed 001 "Étape 3"): what an integrator sees. Every test
 * makes its own partner; refused requests are checked to have written nothing.
 */

const DAY_MS = 86_400_000;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A refused creation: its status and error, and not a row more for the partner anywhere. */
async function refused(partnerId: string, send: () => Promise<CallResult>, status: number, error: Record<string, unknown>) {
  const before = await rowCounts(partnerId);
  const res = await send();
  expectError(res, status, error);
  expect(await rowCounts(partnerId)).toEqual(before);
  return res;
}

describe("POST /v1/payment_links", () => {
  it("takes seed 001 'Étape 3' verbatim, and refuses its 2024 expires_at as past (400 expires_at_in_past)", async () => {
    const { t, api: a, issued } = await payableWorld();
    await refused(t.partnerId, () => a.createLink(seedLinkBody(issued.id)), 400, {
      type: "invalid_request_error",
      code: "expires_at_in_past",
      param: "expires_at",
    });

    const res = await a.createLink({ ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY });
    expect(res.status, res.text).toBe(201);
    const body = res.body;
    // Seed 001's response fields, with their values.
    expect(body).toMatchObject({
      invoice_id: issued.id,
      amount: SEED_TOTAL,
      currency: "EUR",
      status: "active",
      expires_at: FUTURE_EXPIRY,
      object: "payment_link",
      livemode: false,
      organization_id: a.orgId,
      payment_methods: ["sepa_credit", "card"],
      return_url: "https://votreapp.fr/payment/success",
      completed_at: null,
      revoked_at: null,
    });
    expect(issued.amount_due).toBe(SEED_TOTAL);
    expect(body.id).toMatch(new RegExp(`^pl-${ID.source.slice(1)}`));
    expect(body.payment_intent_id).toMatch(new RegExp(`^pi-${ID.source.slice(1)}`));
    expect(body.payment_page_url.startsWith(`${env.PUBLIC_BASE_URL}/p/`)).toBe(true);
    expect(body.payment_page_url.slice(`${env.PUBLIC_BASE_URL}/p/`.length)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.qr_code_data).toBe(body.payment_page_url);
    expect(Date.parse(body.created_at)).toBeGreaterThan(Date.now() - 60_000);

    // Readable back as created, and its intent exists, `created`, for the same amount.
    expect((await a.getLink(body.id)).body).toEqual(body);
    const intent = await expectOk(await a.getIntent(body.payment_intent_id));
    expect(intent).toMatchObject({
      id: body.payment_intent_id,
      object: "payment_intent",
      invoice_id: issued.id,
      payment_link_id: body.id,
      amount: SEED_TOTAL,
      currency: "EUR",
      status: "created",
      selected_payment_method: null,
      aiia_status: null,
      aiia_transaction_id: null,
      completed_at: null,
      failure_code: null,
      failure_message: null,
    });
  });

  it("emits payment_link.created once, with the link, and an audit entry that hides the page URL", async () => {
    const { t, api: a, issued } = await payableWorld();
    const before = await rowCounts(t.partnerId);
    const created = await link(a, issued.id);
    const after = await rowCounts(t.partnerId);
    expect(after).toEqual({ ...before, payment_links: before.payment_links + 1, payment_intents: before.payment_intents + 1, events: before.events + 1, audit_logs: before.audit_logs + 1 });

    const events = await eventsOf(t.partnerId, "payment_link.created");
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ payment_link_id: created.id, payment_link: created });

    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${created.id}`, { token: t.token, headers: { "x-entity-id": a.orgId } }));
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ resource_type: "payment_link", action: "created" });
    expect(JSON.stringify(audit.data[0])).not.toContain(created.payment_page_url);
  });

  it("defaults the expiry to 30 days and the amount to what is due", async () => {
    const { api: a, issued } = await payableWorld();
    const created = await link(a, issued.id, { payment_methods: ["card"] });
    expect(created.amount).toBe(SEED_TOTAL);
    expect(created.payment_methods).toEqual(["card"]);
    expect(created.return_url).toBeNull();
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(30 * DAY_MS);
  });

  it("splits an invoice into partial links up to its amount due; a third is refused: the invoice has nothing left to pay (422 nothing_left_to_pay)", async () => {
    const { t, api: a, issued } = await payableWorld();
    const first = await link(a, issued.id, { amount: 20000 });
    expect(first.amount).toBe(20000);
    // The default amount of the next link is what the active links leave.
    const second = await link(a, issued.id);
    expect(second.amount).toBe(22200);

    const res = await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit"], amount: 1 }), 422, {
      type: "business_rule_error",
      code: "nothing_left_to_pay",
      param: "invoice_id",
    });
    expect(res.body.error.message).toBe(
      `Invoice ${issued.invoice_number} has nothing left to pay: all of its amount due (${SEED_TOTAL} cents) is already in active payment links or card holds not yet captured. Revoke one to make a new link.`,
    );
    // Without an amount (the default: what remains), the same words, not "Amount 0 exceeds…".
    const again = await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit"] }), 422, { code: "nothing_left_to_pay" });
    expect(again.body.error.message).toBe(res.body.error.message);
  });

  it("names the remaining amount in the 422 message", async () => {
    const { t, api: a, issued } = await payableWorld();
    await link(a, issued.id, { amount: 30000 });
    const res = await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: 12201 }), 422, {
      code: "amount_exceeds_due",
      param: "amount",
    });
    expect(res.body.error.message).toContain("12200");
    expect((await link(a, issued.id, { amount: 12200 })).amount).toBe(12200);
  });

  it("refuses an amount above the invoice's amount due (422) without writing", async () => {
    const { t, api: a, issued } = await payableWorld();
    const res = await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: SEED_TOTAL + 1 }), 422, {
      code: "amount_exceeds_due",
      param: "amount",
    });
    expect(res.body.error.message).toContain(String(SEED_TOTAL));
  });

  it.each([
    ["a draft", "draft"],
    ["a cancelled", "cancelled"],
  ])("refuses %s invoice with 409 invoice_not_payable", async (_label, state) => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    let invoiceId = w.invoice.id; // seedWorld leaves a draft
    if (state === "cancelled") {
      const inv = await issuedInvoice(a, w.dept.id);
      await expectOk(await a.cancelInvoice(inv.id));
      invoiceId = inv.id;
    }
    await refused(t.partnerId, () => a.createLink({ invoice_id: invoiceId, payment_methods: ["sepa_credit"], expires_at: FUTURE_EXPIRY }), 409, {
      type: "conflict_error",
      code: "invoice_not_payable",
      param: "invoice_id",
    });
  });

  it("refuses a paid invoice with 409 invoice_not_payable", async () => {
    const { t, api: a, issued } = await payableWorld();
    const paidLink = await link(a, issued.id);
    await expectOk(await a.simulate(paidLink.payment_intent_id, "succeeded"));
    expect((await a.getInvoice(issued.id)).body.status).toBe("paid");
    await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }), 409, { code: "invoice_not_payable", param: "invoice_id" });
  });

  it("answers 404 param invoice_id for an unknown invoice, another partner's, another organization's and the live mode's", async () => {
    const { t, api: a, issued } = await payableWorld();
    const stranger = await payableWorld();
    const otherOrg = await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
    const cases: [string, () => Promise<CallResult>][] = [
      ["unknown id", () => a.createLink({ invoice_id: UNKNOWN_INVOICE, payment_methods: ["card"] })],
      ["not an id", () => a.createLink({ invoice_id: "inv-nope", payment_methods: ["card"] })],
      ["another partner's invoice", () => a.createLink({ invoice_id: stranger.issued.id, payment_methods: ["card"] })],
      ["the partner's other organization", () => api(t.token, otherOrg.id).createLink({ invoice_id: issued.id, payment_methods: ["card"] })],
    ];
    for (const [, send] of cases) {
      await refused(t.partnerId, send, 404, { type: "not_found_error", code: "resource_missing", param: "invoice_id" });
    }
    // Live credentials do not see the test organization at all.
    const live = await liveToken(t);
    await refused(t.partnerId, () => api(live, a.orgId).createLink({ invoice_id: issued.id, payment_methods: ["card"] }), 404, {
      code: "resource_missing",
    });
    // The invoice's owner still can.
    expect((await link(a, issued.id)).invoice_id).toBe(issued.id);
    // The stranger's invoice was not touched.
    expect((await stranger.api.getInvoice(stranger.issued.id)).body.status).toBe("issued");
  });

  it.each([
    ["an unknown payment method", { payment_methods: ["paypal"] }, "payment_methods.0"],
    ["an empty list of methods", { payment_methods: [] }, "payment_methods"],
    // No payment_methods at all is fine since issue 13: the default is SEPA and card in euros.
    ["a null list of methods", { payment_methods: null }, "payment_methods"],
    ["amount 0", { amount: 0 }, "amount"],
    ["a negative amount", { amount: -100 }, "amount"],
    ["a non-integer amount", { amount: 100.5 }, "amount"],
    ["an amount as a string", { amount: "42200" }, "amount"],
    ["an expires_at that is no date", { expires_at: "demain" }, "expires_at"],
    ["a return_url that is no URL", { return_url: "votreapp.fr/retour" }, "return_url"],
    ["a javascript: return_url", { return_url: "javascript:alert(1)" }, "return_url"],
    ["an unknown field", { amount_cents: 100 }, "amount_cents"],
  ])("refuses %s with 400 naming the field", async (_label, patch, param) => {
    const { t, api: a, issued } = await payableWorld();
    await refused(t.partnerId, () => a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit", "card"], ...patch }), 400, {
      type: "invalid_request_error",
      param,
    });
  });

  it("reads an expires_at with an offset as the instant it names", async () => {
    const { api: a, issued } = await payableWorld();
    expect((await link(a, issued.id, { expires_at: "2030-01-10T12:00:00+01:00" })).expires_at).toBe("2030-01-10T11:00:00.000Z");
  });

  it("with an Idempotency-Key, a retried creation returns the same link and creates nothing more", async () => {
    const { t, api: a, issued } = await payableWorld();
    const body = { invoice_id: issued.id, payment_methods: ["sepa_credit", "card"], amount: 20000 };
    const send = (b: unknown) => call("/v1/payment_links", { token: t.token, headers: { "x-entity-id": a.orgId, "idempotency-key": "link-once" }, body: b });
    const first = await send(body);
    expect(first.status, first.text).toBe(201);
    const before = await rowCounts(t.partnerId);
    const again = await send(body);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expectError(await send({ ...body, amount: 100 }), 422, { code: "idempotency_key_reused" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });

  it("takes each method once even if listed twice", async () => {
    const { api: a, issued } = await payableWorld();
    expect((await link(a, issued.id, { payment_methods: ["card", "card"] })).payment_methods).toEqual(["card"]);
  });

  it("twenty concurrent links for the full amount: exactly one is created, the others 422, none 5xx", async () => {
    const { t, api: a, issued } = await payableWorld();
    const before = await rowCounts(t.partnerId);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => a.createLink({ invoice_id: issued.id, payment_methods: ["sepa_credit"], amount: SEED_TOTAL })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(19);
    for (const r of results.filter((r) => r.status === 422)) expect(r.body.error.code).toBe("nothing_left_to_pay");
    const after = await rowCounts(t.partnerId);
    expect(after).toEqual({ ...before, payment_links: before.payment_links + 1, payment_intents: before.payment_intents + 1, events: before.events + 1, audit_logs: before.audit_logs + 1 });
    const active = await expectOk(await a.listLinks(`invoice_id=${issued.id}&status=active`));
    expect(active.data.map((l: { amount: number }) => l.amount)).toEqual([SEED_TOTAL]);
  });

  it("concurrent partial links never reserve more than the amount due", async () => {
    const { api: a, issued } = await payableWorld();
    // 10 000 × 6 = 60 000 asked for 42 200 due: four fit.
    const results = await Promise.all(Array.from({ length: 6 }, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: 10000 })));
    expect(results.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    const active = await expectOk(await a.listLinks(`invoice_id=${issued.id}&status=active`));
    expect(active.data.reduce((sum: number, l: { amount: number }) => sum + l.amount, 0)).toBe(40000);
  });
});

describe("live mode", () => {
  const LIVE_ORG = { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } };
  const REAL_IBAN = "FR7630006000011234567890189";

  async function liveWorld() {
    const t = await createPartner();
    const live = await liveToken(t);
    const org = await expectOk(await call("/v1/organizations", { token: live, body: LIVE_ORG }), 201);
    const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: live, body: SEED.department }), 201);
    await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: live, body: { ...SEED.bankAccount, iban: REAL_IBAN } }), 201);
    const kyc = await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: live, body: {} }), 201);
    expect(kyc.status).toBe("pending"); // live KYC waits for a decision
    const a = api(live, org.id);
    const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
    const issued = await expectOk(await a.issueInvoice(draft.id));
    return { t, live, a, dept, kyc, issued };
  }

  it("refuses a non-https return_url with 400 return_url_not_https", async () => {
    const { t, a, issued } = await liveWorld();
    await refused(t.partnerId, () => a.createLink({ ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY, return_url: "http://votreapp.fr/payment/success" }), 400, {
      type: "invalid_request_error",
      code: "return_url_not_https",
      param: "return_url",
    });
  });

  it("refuses a link while the department's KYC is not verified (422 kyc_not_verified), then creates it once verified", async () => {
    const { t, a, issued, kyc } = await liveWorld();
    const body = { ...seedLinkBody(issued.id), expires_at: FUTURE_EXPIRY };
    await refused(t.partnerId, () => a.createLink(body), 422, { type: "business_rule_error", code: "kyc_not_verified" });

    // The operator's decision (no API for it yet): the KYC is verified.
    await env.DB.prepare("UPDATE kyc_verifications SET status = 'verified' WHERE id = ?").bind(kyc.id).run();
    const res = await a.createLink(body);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ livemode: true, amount: SEED_TOTAL, status: "active" });
    // Live links are invisible to test credentials, and the sandbox refuses to drive them.
    expect((await api(t.token, a.orgId).getLink(res.body.id)).status).toBe(404);
    expectError(await a.simulate(res.body.payment_intent_id, "succeeded"), 403, { code: "test_mode_only" });
  });

  it("http return_urls are fine in test mode", async () => {
    const { api: a, issued } = await payableWorld();
    expect((await link(a, issued.id, { return_url: "http://localhost:3000/retour" })).return_url).toBe("http://localhost:3000/retour");
  });
});

describe("GET /v1/payment_links", () => {
  async function threeLinks() {
    const world = await payableWorld();
    const a = world.api;
    const other = await issuedInvoice(a, world.dept.id);
    const l1 = await link(a, world.issued.id, { amount: 10000 });
    const l2 = await link(a, world.issued.id, { amount: 5000 });
    const l3 = await link(a, other.id);
    return { ...world, other, l1, l2, l3 };
  }

  const ids = (res: CallResult) => res.body.data.map((l: { id: string }) => l.id);

  it("lists newest first, filters by status and invoice_id, and paginates", async () => {
    const { api: a, issued, other, l1, l2, l3 } = await threeLinks();
    await expectOk(await a.revokeLink(l2.id));

    const all = await expectOk(await a.listLinks());
    expect(all.data.map((l: { id: string }) => l.id)).toEqual([l3.id, l2.id, l1.id]);
    expect(all.pagination).toEqual({ page: 1, page_size: 20, total_items: 3, total_pages: 1 });

    expect(ids(await a.listLinks(`invoice_id=${issued.id}`))).toEqual([l2.id, l1.id]);
    expect(ids(await a.listLinks(`invoice_id=${other.id}`))).toEqual([l3.id]);
    expect(ids(await a.listLinks("status=active"))).toEqual([l3.id, l1.id]);
    expect(ids(await a.listLinks("status=revoked"))).toEqual([l2.id]);
    expect(ids(await a.listLinks(`status=active&invoice_id=${issued.id}`))).toEqual([l1.id]);
    expect(ids(await a.listLinks("status=expired"))).toEqual([]);

    const page2 = await expectOk(await a.listLinks("page=2&page_size=2"));
    expect(page2.data.map((l: { id: string }) => l.id)).toEqual([l1.id]);
    expect(page2.pagination).toEqual({ page: 2, page_size: 2, total_items: 3, total_pages: 2 });
    expect((await expectOk(await a.listLinks("limit=1"))).data.map((l: { id: string }) => l.id)).toEqual([l3.id]);

    expectError(await a.listLinks("status=paid"), 400, { param: "status" });
    expectError(await a.listLinks("page_size=101"), 400, { param: "page_size" });
  });

  it("shows another partner none of its links, and 404 for a foreign organization", async () => {
    const { t, api: a, l1 } = await threeLinks();
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).listLinks(), 404, { code: "resource_missing" });
    expectError(await api(stranger.token, a.orgId).getLink(l1.id), 404, { code: "resource_missing" });
    expectError(await api(await liveToken(t), a.orgId).getLink(l1.id), 404, { code: "resource_missing" });
    expectError(await a.getLink("pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"), 404, { code: "resource_missing", param: "id" });
    expectError(await a.getLink("nope"), 404, { code: "resource_missing", param: "id" });
  });
});

describe("DELETE /v1/payment_links/{id}", () => {
  async function revoke(a: Api, id: string) {
    return a.revokeLink(id);
  }

  it("revokes: the link is revoked, its intent canceled with one event; again → 200, nothing more", async () => {
    const { t, api: a, issued } = await payableWorld();
    const created = await link(a, issued.id);
    const res = await revoke(a, created.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, status: "revoked", amount: SEED_TOTAL });
    expect(Date.parse(res.body.revoked_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await a.getLink(created.id)).body).toEqual(res.body);

    const intent = await expectOk(await a.getIntent(created.payment_intent_id));
    expect(intent.status).toBe("canceled");
    const changes = (await eventsOf(t.partnerId, "payment_intent.status_changed")).filter((e) => e.data.payment_intent_id === created.payment_intent_id);
    expect(changes.map((e) => `${e.data.previous_status}→${e.data.current_status}`)).toEqual(["created→canceled"]);

    const before = await rowCounts(t.partnerId);
    const again = await revoke(a, created.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await d1Link(created.id)).status).toBe("revoked");
  });

  it("asks the link's intent object straight away: the gate, then the object, whose one D1 batch revokes the link and reads it back (no read first)", async () => {
    const { api: a, issued } = await payableWorld();
    const created = await link(a, issued.id);
    // The intent is named by the link: its object is found without reading the link.
    expect(created.payment_intent_id).toBe(`pi-${created.id.slice("pl-".length)}`);
    const res = await revoke(a, created.id);
    expect(res.status, res.text).toBe(200);
    const timing = res.headers.get("server-timing") ?? "";
    expect(timing).toMatch(/do-intent;desc="revoke"/);
    // No D1 round trip of the Worker's own, and no second object call.
    expect(timing).not.toMatch(/d1-\d/);
    expect(timing).not.toMatch(/do-intent;desc="cancel"/);
    expect(/storage;desc="sequential round trips";dur=(\d+)/.exec(timing)?.[1]).toBe("2");
    // The answer is the link as D1 now has it.
    expect(res.body).toMatchObject({ id: created.id, status: "revoked" });
    expect((await a.getLink(created.id)).body).toEqual(res.body);
    expect((await d1Link(created.id)).status).toBe("revoked");
  });

  it("revokes a link whose intent its id does not name (made before the naming) by reading it first", async () => {
    const { t, api: a, issued } = await payableWorld();
    const model = await link(a, issued.id, { amount: 100 });
    // A pair as links were made before the naming: a copy of a link and its intent under new ids,
    // the intent's uuid not the link's (no object has ever been made for either).
    const uuid = () => crypto.randomUUID().replace(/^(.{14})./, "$17");
    const created = { id: `pl-${uuid()}` };
    const legacyIntent = `pi-${uuid()}`;
    const copy = async (table: string, id: string, changes: Record<string, unknown>) => {
      const row = { ...(await env.DB.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first<Record<string, unknown>>())!, ...changes };
      const cols = Object.keys(row);
      return env.DB.prepare(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`).bind(...cols.map((c) => row[c]));
    };
    await env.DB.batch([
      await copy("payment_intents", model.payment_intent_id, { id: legacyIntent, payment_link_id: created.id }),
      await copy("payment_links", model.id, { id: created.id, payment_intent_id: legacyIntent, token: `tok_${uuid().replaceAll("-", "")}` }),
    ]);
    const res = await revoke(a, created.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, status: "revoked", payment_intent_id: legacyIntent });
    const timing = res.headers.get("server-timing") ?? "";
    // The object its id would name has no such intent; the link is read, then its own intent's object asked.
    expect(timing).toMatch(/do-intent;desc="revoke"/);
    expect(timing).toMatch(/d1-\d;desc="select"/);
    expect(timing).toMatch(/do-intent;desc="cancel"/);
    expect((await d1Link(created.id)).status).toBe("revoked");
    expect((await a.getIntent(legacyIntent)).body.status).toBe("canceled");
    const changes = (await eventsOf(t.partnerId, "payment_intent.status_changed")).filter((e) => e.data.payment_intent_id === legacyIntent);
    expect(changes.map((e) => `${e.data.previous_status}→${e.data.current_status}`)).toEqual(["created→canceled"]);
  });

  it("frees the amount it reserved: a new link for the full amount is then allowed", async () => {
    const { api: a, issued } = await payableWorld();
    const first = await link(a, issued.id);
    expectError(await a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }), 422, { code: "nothing_left_to_pay" });
    await expectOk(await revoke(a, first.id));
    const second = await link(a, issued.id);
    expect(second.amount).toBe(SEED_TOTAL);
  });

  it("revokes a link whose payer chose a method (pending) or whose attempt failed", async () => {
    const { api: a, issued } = await payableWorld();
    const pending = await link(a, issued.id, { amount: 10000 });
    const chosen = await intentStub(pending.payment_intent_id).choose(pending.payment_intent_id, { tenant: await tenantOf(pending.payment_intent_id), method: "card", version: 1, actor: PAYER });
    expect(chosen.ok && chosen.intent.status).toBe("pending");
    expect((await expectOk(await revoke(a, pending.id))).status).toBe("revoked");
    expect((await a.getIntent(pending.payment_intent_id)).body).toMatchObject({ status: "canceled", selected_payment_method: "card" });

    const failed = await link(a, issued.id, { amount: 20000 });
    await expectOk(await a.simulate(failed.payment_intent_id, "insufficient_funds"));
    expect((await expectOk(await revoke(a, failed.id))).status).toBe("revoked");
    expect((await a.getIntent(failed.payment_intent_id)).body).toMatchObject({ status: "canceled", failure_code: "insufficient_funds" });
  });

  it("refuses once the payment succeeded (409 payment_completed), and the link stays completed", async () => {
    const { t, api: a, issued } = await payableWorld();
    const created = await link(a, issued.id);
    await expectOk(await a.simulate(created.payment_intent_id, "succeeded"));
    const before = await rowCounts(t.partnerId);
    expectError(await revoke(a, created.id), 409, { type: "conflict_error", code: "payment_completed" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await a.getLink(created.id)).body).toMatchObject({ status: "completed", revoked_at: null });
    expect((await a.getIntent(created.payment_intent_id)).body.status).toBe("succeeded");
  });

  it("refuses an expired link with 409 and keeps it expired", async () => {
    const { api: a, issued } = await payableWorld();
    const created = await link(a, issued.id);
    await expectOk(await a.simulate(created.payment_intent_id, "expired"));
    expectError(await revoke(a, created.id), 409, { code: "payment_link_expired" });
    expect((await a.getLink(created.id)).body.status).toBe("expired");
  });

  it("answers 404 for an unknown link and another partner's", async () => {
    const { api: a, issued } = await payableWorld();
    const created = await link(a, issued.id);
    const stranger = await payableWorld();
    expectError(await stranger.api.revokeLink(created.id), 404, { code: "resource_missing" });
    expectError(await api(stranger.t.token, a.orgId).revokeLink(created.id), 404, { code: "resource_missing" });
    expectError(await a.revokeLink("pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"), 404, { code: "resource_missing", param: "id" });
    expect((await a.getLink(created.id)).body.status).toBe("active");
  });
});
