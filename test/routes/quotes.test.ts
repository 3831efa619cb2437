import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEDULES } from "../../src/cron";
import { openEventData } from "../../src/services/events/payload";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, VALID_ORGANIZATION, type CallResult, type Tenant } from "../helpers/harness";
import { runScheduled } from "../helpers/scheduled";

// Quotes (devis, seed 003 `quote`), issue 12: draft → sent (DEV-YYYY-NNNNN) → accepted (a draft
// invoice), declined or expired (the sweep).

function parisToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const TODAY = parisToday();
const YEAR = TODAY.slice(0, 4);
const dev = (n: number) => `DEV-${YEAR}-${String(n).padStart(5, "0")}`;
const fac = (n: number) => `FAC-${YEAR}-${String(n).padStart(5, "0")}`;

const PAYER = {
  name: "Jean Dupont",
  email: "jean.dupont@example.com",
  address: { line1: "15 rue de la Paix", postal_code: "69002", city: "Lyon", country: "FR" },
};

function quoteBody(departmentId: string, overrides: Record<string, unknown> = {}) {
  return {
    department_id: departmentId,
    payer: PAYER,
    line_items: [
      { description: "Raccordement au réseau d'eau potable", quantity: 1, unit_price: 85000, vat_rate: 20 },
      { description: "Pose de canalisation", quantity: 12.5, unit: "MTR", unit_price: 4250, vat_rate: 20 },
    ],
    valid_until: addDays(TODAY, 20),
    payment_terms: "Acompte de 30 % à la commande, solde à réception des travaux",
    ...overrides,
  };
}

async function orgAndDept(token: string, orgBody: Record<string, unknown> = SEED.organization) {
  const org = await expectOk(await call("/v1/organizations", { token, body: orgBody }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token, body: SEED.department }), 201);
  return { org, dept };
}

/** Calls scoped to one organization (X-Entity-Id). */
function quotesOf(token: string, orgId: string) {
  const headers = { "x-entity-id": orgId };
  return {
    create: (body: unknown) => call("/v1/quotes", { token, headers, body }),
    get: (id: string) => call(`/v1/quotes/${id}`, { token, headers }),
    list: (query = "") => call(`/v1/quotes${query ? `?${query}` : ""}`, { token, headers }),
    patch: (id: string, body: unknown) => call(`/v1/quotes/${id}`, { method: "PATCH", token, headers, body }),
    send: (id: string) => call(`/v1/quotes/${id}/send`, { method: "POST", token, headers }),
    accept: (id: string) => call(`/v1/quotes/${id}/accept`, { method: "POST", token, headers }),
    decline: (id: string, body?: unknown) => call(`/v1/quotes/${id}/decline`, { method: "POST", token, headers, ...(body === undefined ? {} : { body }) }),
    pdf: (id: string) => call(`/v1/quotes/${id}/pdf`, { token, headers }),
    invoice: (id: string) => call(`/v1/invoices/${id}`, { token, headers }),
    issueInvoice: (id: string) => call(`/v1/invoices/${id}/issue`, { method: "POST", token, headers }),
    audit: (query: string) => call(`/v1/audit_logs?${query}`, { token, headers }),
  };
}

async function world() {
  const t = await createPartner();
  const { org, dept } = await orgAndDept(t.token);
  return { t, org, dept, api: quotesOf(t.token, org.id) };
}

async function sent(api: ReturnType<typeof quotesOf>, body: unknown) {
  const draft = await expectOk(await api.create(body), 201);
  return expectOk(await api.send(draft.id));
}

function expectError(res: CallResult, status: number, error: Record<string, unknown>) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.body.error).toMatchObject(error);
}

/** Rows the partner owns in the tables a quote operation writes to. */
async function rowCounts(partnerId: string) {
  const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE partner_id = ?`).bind(partnerId).first<{ n: number }>())!.n;
  return { quotes: await count("quotes"), invoices: await count("invoices"), audit_logs: await count("audit_logs"), events: await count("events") };
}

/** The partner's events, payloads opened as webhooks and the events API open them. */
async function eventsOf(partnerId: string) {
  const { results } = await env.DB.prepare("SELECT id, type, data, data_encrypted, data_expired_at FROM events WHERE partner_id = ? ORDER BY created_at, id")
    .bind(partnerId)
    .all<{ id: string; type: string; data: string; data_encrypted: string | null; data_expired_at: string | null }>();
  return Promise.all(results.map(async (r) => ({ type: r.type, stored: r.data, data: (await openEventData(env.ENCRYPTION_KEY, { ...r, data: JSON.parse(r.data) }))! as Record<string, any> })));
}

async function quoteRow(id: string) {
  return env.DB.prepare("SELECT status, quote_number, invoice_id, valid_until, version FROM quotes WHERE id = ?").bind(id).first<Record<string, any>>();
}

async function invoicesOfQuote(quoteId: string) {
  return (await env.DB.prepare("SELECT id, status, quote_id FROM invoices WHERE quote_id = ?").bind(quoteId).all<Record<string, any>>()).results;
}

describe("POST /v1/quotes → PATCH → send → accept", () => {
  it("creates a draft with the invoice amounts, edits it, sends it as DEV-<year>-00001 (then 00002), and accepting it makes a draft invoice", async () => {
    const { t, org, dept, api } = await world();
    const body = quoteBody(dept.id, { metadata: { crm: "OPP-12" } });
    const created = await api.create(body);
    expect(created.status).toBe(201);
    // 85000 + 12.5 × 4250 = 85000 + 53125 = 138125 HT; VAT 20 % = 27625; TTC 165750.
    expect(created.body).toEqual({
      id: expect.stringMatching(/^quo-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      object: "quote",
      livemode: false,
      organization_id: org.id,
      department_id: dept.id,
      status: "draft",
      quote_number: null,
      currency: "EUR",
      payer: PAYER,
      line_items: [
        { description: "Raccordement au réseau d'eau potable", quantity: 1, unit: "C62", unit_price: 85000, vat_rate: 20, net_amount: 85000 },
        { description: "Pose de canalisation", quantity: 12.5, unit: "MTR", unit_price: 4250, vat_rate: 20, net_amount: 53125 },
      ],
      subtotal_amount: 138125,
      tax_amount: 27625,
      total_amount: 165750,
      tax_breakdown: [{ vat_rate: 20, taxable_amount: 138125, tax_amount: 27625 }],
      valid_until: body.valid_until,
      payment_terms: body.payment_terms,
      vat_exemption_reason: null,
      mentions: null,
      invoice_id: null,
      decline_reason: null,
      pdf_url: `/v1/quotes/${created.body.id}/pdf`,
      metadata: { crm: "OPP-12" },
      sent_at: null,
      accepted_at: null,
      declined_at: null,
      expired_at: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: created.body.created_at,
    });
    expect((await api.get(created.body.id)).body).toEqual(created.body);
    const id = created.body.id;

    // PATCH while draft: new lines (one at 5.5 %) recompute the amounts as an invoice's would.
    const patched = await expectOk(
      await api.patch(id, { line_items: [{ description: "Consommation eau", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }], valid_until: null }),
    );
    expect(patched).toMatchObject({
      status: "draft",
      version: 2,
      subtotal_amount: 40000,
      tax_amount: 2200,
      total_amount: 42200,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 40000, tax_amount: 2200 }],
      valid_until: null,
      line_items: [{ description: "Consommation eau", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5, net_amount: 40000 }],
    });

    // Send: the number, the frozen seller, and 30 days of validity when the draft had none.
    const sentQuote = await expectOk(await api.send(id));
    expect(sentQuote).toEqual({
      ...patched,
      status: "sent",
      quote_number: dev(1),
      valid_until: addDays(TODAY, 30),
      mentions: {
        document_type: "Devis",
        issue_date: TODAY,
        valid_until: addDays(TODAY, 30),
        seller: {
          name: "Mairie de Lyon",
          siret: "21690123400019",
          siren: "216901234",
          vat_number: "FR21216901234",
          address: SEED.organization.address,
          public_entity_unit: SEED.department.name,
          email: null,
          primary_color: null,
        },
        buyer_is_business: false,
        payment_terms: body.payment_terms,
        vat_exemption: null,
      },
      sent_at: expect.any(String),
      updated_at: expect.any(String),
      version: 3,
    });
    expect(sentQuote.sent_at).toBe(sentQuote.updated_at);
    expect((await api.get(id)).body).toEqual(sentQuote);
    // The next quote sent takes 00002 (the quote series is the organization's own, apart from invoices).
    expect((await sent(api, quoteBody(dept.id))).quote_number).toBe(dev(2));

    // Accept: the quote names its invoice, a draft with the quote's department, payer, lines and terms.
    const accepted = await api.accept(id);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      ...sentQuote,
      status: "accepted",
      invoice_id: expect.stringMatching(/^inv-/),
      accepted_at: expect.any(String),
      updated_at: expect.any(String),
      version: 4,
    });
    expect((await api.get(id)).body).toEqual(accepted.body);
    const invoice = await expectOk(await api.invoice(accepted.body.invoice_id));
    expect(invoice).toMatchObject({
      id: accepted.body.invoice_id,
      quote_id: id,
      status: "draft",
      invoice_number: null,
      organization_id: org.id,
      department_id: dept.id,
      payer: PAYER,
      line_items: patched.line_items,
      subtotal_amount: 40000,
      tax_amount: 2200,
      total_amount: 42200,
      amount_due: 42200,
      tax_breakdown: patched.tax_breakdown,
      payment_terms: body.payment_terms,
      due_date: null,
      metadata: {},
    });
    expect(await invoicesOfQuote(id)).toEqual([{ id: invoice.id, status: "draft", quote_id: id }]);
    // It is a real draft: it issues with the invoice series' first number.
    expect((await expectOk(await api.issueInvoice(invoice.id))).invoice_number).toBe(fac(1));

    // Every change is in the audit trail, and the events carry the quote (its payer sealed at rest).
    const trail = await expectOk(await api.audit(`resource_type=quote&resource_id=${id}&page_size=100`));
    expect(trail.data.map((e: { action: string }) => e.action).sort()).toEqual(["created", "status_changed", "status_changed", "updated"]);
    const sentEntry = trail.data.find((e: any) => e.changes.after?.status === "sent");
    expect(sentEntry.changes).toMatchObject({ before: { status: "draft", quote_number: null }, after: { status: "sent", quote_number: dev(1) } });
    expect(JSON.stringify(trail.data)).not.toContain(PAYER.email);
    const invoiceTrail = await expectOk(await api.audit(`resource_type=invoice&resource_id=${invoice.id}&action=created`));
    expect(invoiceTrail.data).toHaveLength(1);

    const events = (await eventsOf(t.partnerId)).filter((e) => e.data.quote_id === id || e.data.invoice_id === invoice.id);
    expect(events.map((e) => `${e.type}:${e.data.previous_status ?? ""}>${e.data.current_status ?? ""}`)).toEqual([
      "quote.created:>",
      "quote.status_changed:draft>sent",
      "invoice.created:>",
      "quote.status_changed:sent>accepted",
      "invoice.status_changed:draft>issued",
    ]);
    const [createdEvent, sentEvent, invoiceCreated, acceptedEvent] = events;
    expect(createdEvent!.data.quote).toMatchObject({ id, status: "draft", payer: PAYER });
    expect(sentEvent!.data.quote).toMatchObject({ id, status: "sent", quote_number: dev(1), version: 3 });
    expect(invoiceCreated!.data.invoice).toMatchObject({ id: invoice.id, status: "draft", payer: PAYER });
    expect(acceptedEvent!.data.quote).toMatchObject({ id, status: "accepted", invoice_id: invoice.id, version: 4 });
    for (const e of events) expect(e.stored).not.toContain(PAYER.email);
  });

  it("accepting twice answers 409 quote_already_accepted, writes nothing and leaves one invoice; concurrent accepts make one invoice", async () => {
    const { t, dept, api } = await world();
    const q = await sent(api, quoteBody(dept.id));
    const first = await expectOk(await api.accept(q.id));
    const before = await rowCounts(t.partnerId);
    expectError(await api.accept(q.id), 409, { type: "conflict_error", code: "quote_already_accepted" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await invoicesOfQuote(q.id)).toEqual([{ id: first.invoice_id, status: "draft", quote_id: q.id }]);
    // Declining it now is refused too.
    expectError(await api.decline(q.id), 409, { code: "quote_already_accepted" });

    const q2 = await sent(api, quoteBody(dept.id));
    const results = await Promise.all([api.accept(q2.id), api.accept(q2.id), api.accept(q2.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe("quote_already_accepted");
    const invoices = await invoicesOfQuote(q2.id);
    expect(invoices).toHaveLength(1);
    expect((await quoteRow(q2.id))!.invoice_id).toBe(invoices[0]!.id);
  });

  it("refuses to accept or decline a draft (409 quote_not_sent), and to edit or send again a sent quote (409 quote_not_draft)", async () => {
    const { t, dept, api } = await world();
    const draft = await expectOk(await api.create(quoteBody(dept.id)), 201);
    let before = await rowCounts(t.partnerId);
    expectError(await api.accept(draft.id), 409, { code: "quote_not_sent" });
    expectError(await api.decline(draft.id, { reason: "Trop cher" }), 409, { code: "quote_not_sent" });
    expect(await rowCounts(t.partnerId)).toEqual(before);

    const q = await expectOk(await api.send(draft.id));
    before = await rowCounts(t.partnerId);
    expectError(await api.patch(q.id, { payment_terms: "Autres conditions" }), 409, { code: "quote_not_draft" });
    expectError(await api.send(q.id), 409, { code: "quote_not_draft" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(q.id)).body).toEqual(q);
  });
});

describe("POST /v1/quotes/{id}/decline", () => {
  it("declines a sent quote with its reason; it is final", async () => {
    const { t, dept, api } = await world();
    const q = await sent(api, quoteBody(dept.id));
    const declined = await api.decline(q.id, { reason: "Budget non validé" });
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ ...q, status: "declined", decline_reason: "Budget non validé", declined_at: expect.any(String), updated_at: expect.any(String), version: q.version + 1 });
    const before = await rowCounts(t.partnerId);
    expectError(await api.decline(q.id), 409, { code: "quote_already_declined" });
    expectError(await api.accept(q.id), 409, { code: "quote_already_declined" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await invoicesOfQuote(q.id)).toEqual([]);
    const event = (await eventsOf(t.partnerId)).find((e) => e.type === "quote.status_changed" && e.data.current_status === "declined");
    expect(event!.data).toMatchObject({ quote_id: q.id, previous_status: "sent", quote: { status: "declined", decline_reason: "Budget non validé" } });

    // Without a body, too.
    const other = await sent(api, quoteBody(dept.id));
    expect((await expectOk(await api.decline(other.id))).decline_reason).toBeNull();
  });
});

describe("expiry", () => {
  const sweep = (t: Tenant, asOf: string) => call("/v1/sandbox/sweeps", { token: t.token, body: { as_of: asOf } });

  it("the sweep expires sent quotes whose valid_until is before as_of, once each; they can no longer be accepted", async () => {
    const { t, org, dept, api } = await world();
    const early = await sent(api, quoteBody(dept.id, { valid_until: addDays(TODAY, 5) }));
    const onTheDay = await sent(api, quoteBody(dept.id, { valid_until: addDays(TODAY, 10) }));
    const draft = await expectOk(await api.create(quoteBody(dept.id, { valid_until: addDays(TODAY, 1) })), 201);
    const accepted = await sent(api, quoteBody(dept.id, { valid_until: addDays(TODAY, 1) }));
    await expectOk(await api.accept(accepted.id));

    const res = await sweep(t, addDays(TODAY, 10));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: "sandbox_sweep", as_of: addDays(TODAY, 10), invoices_marked_overdue: 0, payment_links_expired: 0, holds_released: 0, quotes_expired: 1, dunning_reminders_sent: 0, dunning_finished: 0 });
    const expired = await expectOk(await api.get(early.id));
    expect(expired).toMatchObject({ status: "expired", expired_at: expect.any(String), version: early.version + 1 });
    expect((await quoteRow(onTheDay.id))!.status).toBe("sent"); // valid on its last day
    expect((await quoteRow(draft.id))!.status).toBe("draft");
    expect((await quoteRow(accepted.id))!.status).toBe("accepted");

    expect((await sweep(t, addDays(TODAY, 10))).body.quotes_expired).toBe(0);
    const events = (await eventsOf(t.partnerId)).filter((e) => e.type === "quote.status_changed" && e.data.current_status === "expired");
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ quote_id: early.id, previous_status: "sent", quote: { id: early.id, status: "expired" } });
    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${early.id}&action=status_changed`, { token: t.token, headers: { "x-entity-id": org.id } }));
    expect(audit.data.find((e: any) => e.changes.after.status === "expired")).toMatchObject({ user_type: "system", user_id: "quote-expiry-sweep" });

    const before = await rowCounts(t.partnerId);
    expectError(await api.accept(early.id), 409, { code: "quote_expired" });
    expectError(await api.decline(early.id), 409, { code: "quote_expired" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });

  it("a quote past valid_until that the sweep has not reached yet cannot be accepted: 409 quote_expired, nothing written", async () => {
    const { t, dept, api } = await world();
    const q = await sent(api, quoteBody(dept.id));
    // As if it had been sent long ago, valid until yesterday, and the hourly sweep had not run since midnight.
    await env.DB.prepare("UPDATE quotes SET valid_until = ? WHERE id = ?").bind(addDays(TODAY, -1), q.id).run();
    const before = await rowCounts(t.partnerId);
    expectError(await api.accept(q.id), 409, { code: "quote_expired" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await quoteRow(q.id)).toMatchObject({ status: "sent", invoice_id: null });
  });

  it("the hourly cron expires every tenant's lapsed quotes as of today in Paris", async () => {
    const a = await world();
    const b = await world();
    const qa = await sent(a.api, quoteBody(a.dept.id));
    const qb = await sent(b.api, quoteBody(b.dept.id));
    const fresh = await sent(b.api, quoteBody(b.dept.id));
    const yesterday = addDays(TODAY, -1);
    await env.DB.prepare("UPDATE quotes SET valid_until = ? WHERE id IN (?, ?)").bind(yesterday, qa.id, qb.id).run();
    await runScheduled(SCHEDULES.hourly);
    expect((await quoteRow(qa.id))!.status).toBe("expired");
    expect((await quoteRow(qb.id))!.status).toBe("expired");
    expect((await quoteRow(fresh.id))!.status).toBe("sent");
  });
});

describe("GET /v1/quotes", () => {
  it("lists the organization's quotes newest first, filtered by status and number", async () => {
    const { dept, api } = await world();
    const a = await expectOk(await api.create(quoteBody(dept.id)), 201);
    const b = await sent(api, quoteBody(dept.id));
    const all = await expectOk(await api.list());
    expect(all.data.map((q: { id: string }) => q.id)).toEqual([b.id, a.id]);
    expect(all.pagination).toEqual({ page: 1, page_size: 20, total_items: 2, total_pages: 1 });
    expect((await expectOk(await api.list("status=draft"))).data.map((q: { id: string }) => q.id)).toEqual([a.id]);
    expect((await expectOk(await api.list(`number=${dev(1)}`))).data.map((q: { id: string }) => q.id)).toEqual([b.id]);
    expect((await expectOk(await api.list("payer_email=JEAN.DUPONT@example.com"))).pagination.total_items).toBe(2);
    expectError(await api.list("status=paid"), 400, { param: "status" });
  });
});

describe("bad input and tenancy", () => {
  it.each([
    { case: "a unit that is not a Rec. 20 code", patch: { line_items: [{ description: "x", quantity: 1, unit: "PIECES", unit_price: 100, vat_rate: 20 }] }, param: "line_items.0.unit" },
    { case: "valid_until not a date", patch: { valid_until: "31/12/2026" }, param: "valid_until" },
    { case: "valid_until an impossible day", patch: { valid_until: "2026-02-30" }, param: "valid_until" },
    { case: "valid_until before today", patch: { valid_until: addDays(TODAY, -1) }, param: "valid_until", code: "valid_until_in_past" },
    { case: "a 0 % line without exemption reason", patch: { line_items: [{ description: "x", quantity: 1, unit_price: 100, vat_rate: 0 }] }, param: "vat_exemption_reason", code: "vat_exemption_reason_required" },
    { case: "an unknown field", patch: { due_date: "2026-12-31" }, param: "due_date" },
  ])("refuses $case with 400 naming $param, on create and on edit, writing nothing", async ({ patch, param, code }) => {
    const { t, dept, api } = await world();
    const draft = await expectOk(await api.create(quoteBody(dept.id)), 201);
    const before = await rowCounts(t.partnerId);
    expectError(await api.create(quoteBody(dept.id, patch)), 400, { type: "invalid_request_error", param, ...(code ? { code } : {}) });
    expectError(await api.patch(draft.id, patch), 400, { type: "invalid_request_error", param, ...(code ? { code } : {}) });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(draft.id)).body).toEqual(draft);
  });

  it("answers 404 for another organization's, another partner's and the other mode's quotes, and for a department not the organization's", async () => {
    const { t, dept, api } = await world();
    const mine = await sent(api, quoteBody(dept.id));
    const other = await orgAndDept(t.token, { ...SEED.organization, name: "Autre" });
    const otherApi = quotesOf(t.token, other.org.id);
    const stranger = await createPartner();
    const theirs = await orgAndDept(stranger.token);
    const live = quotesOf(await accessToken(await issueCredential(t.partnerId, "live")), other.org.id);
    const before = await rowCounts(t.partnerId);
    for (const res of [
      await otherApi.get(mine.id),
      await otherApi.accept(mine.id),
      await otherApi.decline(mine.id),
      await otherApi.pdf(mine.id),
      await quotesOf(stranger.token, theirs.org.id).get(mine.id),
      await live.get(mine.id),
      await api.get("quo-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"),
      await api.get(dept.id),
    ]) {
      expectError(res, 404, { type: "not_found_error", code: "resource_missing" });
    }
    expectError(await otherApi.create(quoteBody(dept.id)), 404, { param: "department_id" });
    expectError(await api.create(quoteBody(theirs.dept.id)), 404, { param: "department_id" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await expectOk(await otherApi.list())).data).toEqual([]);
  });

  it("reads with invoices:read, writes with invoices:write (403 otherwise, nothing written)", async () => {
    const { t, org, dept, api } = await world();
    const q = await sent(api, quoteBody(dept.id));
    const reader = quotesOf(await accessToken(t.credential, "invoices:read"), org.id);
    expect((await reader.get(q.id)).body).toEqual(q);
    const before = await rowCounts(t.partnerId);
    for (const res of [await reader.create(quoteBody(dept.id)), await reader.accept(q.id), await reader.decline(q.id)]) {
      expectError(res, 403, { type: "permission_error", code: "insufficient_scope" });
    }
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });
});

describe("GET /v1/quotes/{id}/pdf", () => {
  it("renders a sent quote as a PDF/A named after its number, the same bytes on every call; a draft as an unnumbered preview", async () => {
    const { dept, api } = await world();
    const draft = await expectOk(await api.create(quoteBody(dept.id)), 201);
    const preview = await api.pdf(draft.id);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toBe("application/pdf");
    expect(preview.headers.get("content-disposition")).toBe(`inline; filename="brouillon-${draft.id}.pdf"`);
    expect(preview.text.startsWith("%PDF-")).toBe(true);
    expect(preview.text).toContain("Brouillon");

    const q = await expectOk(await api.send(draft.id));
    const first = await api.pdf(q.id);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/pdf");
    expect(first.headers.get("content-disposition")).toBe(`inline; filename="${dev(1)}.pdf"`);
    expect(first.text.startsWith("%PDF-")).toBe(true);
    // The number is in the document's title (Info dictionary and XMP metadata), readable as text.
    expect(first.text).toContain(`Devis ${dev(1)}`);
    expect(first.text).toContain("pdfaid:part");
    expect(first.text).not.toContain("factur-x.xml");
    expect(first.text).not.toContain("Brouillon");
    expect((await api.pdf(q.id)).text).toBe(first.text);
  });
});

describe("live mode", () => {
  it("a live quote of a valid organization goes through the same flow", async () => {
    const t = await createPartner();
    const token = await accessToken(await issueCredential(t.partnerId, "live"));
    const { org, dept } = await orgAndDept(token, { ...VALID_ORGANIZATION, address: SEED.organization.address });
    const api = quotesOf(token, org.id);
    const q = await sent(api, quoteBody(dept.id));
    expect(q).toMatchObject({ livemode: true, quote_number: dev(1) });
    const accepted = await expectOk(await api.accept(q.id));
    expect((await expectOk(await api.invoice(accepted.invoice_id))).livemode).toBe(true);
  });
});
