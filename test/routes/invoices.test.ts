import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openEventData } from "../../src/services/events/payload";
import {
  accessToken,
  call,
  createPartner,
  expectOk,
  issueCredential,
  SEED,
  seedInvoiceBody,
  seedWorld,
  VALID_ORGANIZATION,
  type CallResult,
  type Tenant,
} from "../helpers/harness";

// ---------------------------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------------------------

/** Today's date in Europe/Paris, as the API reads dates. */
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
const FUTURE = addDays(TODAY, 60);
const fac = (n: number) => `FAC-${YEAR}-${String(n).padStart(5, "0")}`;
const av = (n: number) => `AV-${YEAR}-${String(n).padStart(5, "0")}`;

const UNKNOWN_DEPT = "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
const UNKNOWN_INVOICE = "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
const SEED_EMAIL = "jean.dupont@example.com";
const SEED_NAME = "Jean Dupont";

async function liveToken(t: Tenant): Promise<string> {
  return accessToken(await issueCredential(t.partnerId, "live"));
}

/** An organization and a department, through the API. */
async function orgAndDept(token: string, orgBody: Record<string, unknown> = SEED.organization, deptBody: Record<string, unknown> = SEED.department) {
  const org = await expectOk(await call("/v1/organizations", { token, body: orgBody }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token, body: deptBody }), 201);
  return { org, dept };
}

/** Calls scoped to one organization (X-Entity-Id). */
function scoped(token: string, orgId: string) {
  const headers = (extra: Record<string, string> = {}) => ({ "x-entity-id": orgId, ...extra });
  return {
    create: (body: unknown, extra?: Record<string, string>) => call("/v1/invoices", { token, headers: headers(extra), body }),
    get: (id: string) => call(`/v1/invoices/${id}`, { token, headers: headers() }),
    list: (query = "") => call(`/v1/invoices${query ? `?${query}` : ""}`, { token, headers: headers() }),
    patch: (id: string, body: unknown) => call(`/v1/invoices/${id}`, { method: "PATCH", token, headers: headers(), body }),
    /** Seed 001 "Étape 2": a POST with no body at all. */
    issue: (id: string) => call(`/v1/invoices/${id}/issue`, { method: "POST", token, headers: headers() }),
    cancel: (id: string, body?: unknown) =>
      call(`/v1/invoices/${id}/cancel`, { method: "POST", token, headers: headers(), ...(body === undefined ? {} : { body }) }),
    audit: (query = "") => call(`/v1/audit_logs${query ? `?${query}` : ""}`, { token, headers: headers() }),
  };
}

async function draft(api: ReturnType<typeof scoped>, body: unknown) {
  return expectOk(await api.create(body), 201);
}

async function issued(api: ReturnType<typeof scoped>, body: unknown) {
  const d = await draft(api, body);
  return expectOk(await api.issue(d.id));
}

/** Rows the partner owns in the tables a create/edit/transition writes to. */
async function rowCounts(partnerId: string) {
  const count = async (table: string) =>
    (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE partner_id = ?`).bind(partnerId).first<{ n: number }>())!.n;
  return {
    invoices: await count("invoices"),
    audit_logs: await count("audit_logs"),
    events: await count("events"),
    credit_notes: await count("credit_notes"),
  };
}

/** The partner's events, payloads opened as the webhooks and the events API open them (the payer is stored sealed apart). */
async function eventsOf(partnerId: string) {
  const { results } = await env.DB.prepare("SELECT id, type, data, data_encrypted, data_expired_at FROM events WHERE partner_id = ? ORDER BY created_at, id")
    .bind(partnerId)
    .all<{ id: string; type: string; data: string; data_encrypted: string | null; data_expired_at: string | null }>();
  return Promise.all(results.map(async (r) => ({ type: r.type, data: (await openEventData(env.ENCRYPTION_KEY, { ...r, data: JSON.parse(r.data) }))! as Record<string, any> })));
}

function ids(res: CallResult): string[] {
  return res.body.data.map((i: { id: string }) => i.id);
}

function expectError(res: CallResult, status: number, error: Record<string, unknown>) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.body.error).toMatchObject(error);
}

const pastDueWarning = expect.objectContaining({ code: "due_date_in_past", param: "due_date" });

function line(quantity: number, unit_price: number, vat_rate: number, description = "Prestation") {
  return { description, quantity, unit_price, vat_rate };
}

/** A seed-shaped body with other lines / payer / due date. */
function body(deptId: string, overrides: Record<string, unknown> = {}) {
  return { ...seedInvoiceBody(deptId), due_date: FUTURE, ...overrides };
}

const BUSINESS_PAYER = { name: "EDF SA", email: "factures@edf.example", siren: "552081317" };

// ---------------------------------------------------------------------------------------------
// 1. Seed 001 and seed 000, issuing, numbering, mentions
// ---------------------------------------------------------------------------------------------

describe("POST /v1/invoices and POST /v1/invoices/{id}/issue (seed 001 quickstart)", () => {
  it("creates seed 001 \"Étape 1\" verbatim as a numberless draft totalling 42200, with a past-due warning in test mode", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const seedBody = seedInvoiceBody(dept.id);
    const res = await api.create(seedBody);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^inv-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      object: "invoice",
      livemode: false,
      organization_id: org.id,
      department_id: dept.id,
      invoice_number: null,
      status: "draft",
      type: "standard",
      currency: "EUR",
      payer: seedBody.payer,
      line_items: [{ description: "Consommation eau T1 2024", quantity: 125, unit: "C62", unit_price: 320, vat_rate: 5.5, net_amount: 40000 }],
      subtotal_amount: 40000,
      tax_amount: 2200,
      total_amount: 42200,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 40000, tax_amount: 2200 }],
      deducted_deposits: [],
      deposits_amount: 0,
      credited_amount: 0,
      amount_paid: 0,
      amount_due: 42200,
      due_date: "2024-03-31",
      dunning_paused: false,
      payment_terms: "Paiement sous 30 jours",
      vat_exemption_reason: null,
      service_date: null,
      service_period: null,
      operation_category: "services",
      quote_id: null,
      mentions: null,
      credit_note: null,
      credit_notes: [],
      document: null,
      issued_at: null,
      paid_at: null,
      cancelled_at: null,
      metadata: {},
      warnings: [pastDueWarning],
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    const got = await api.get(res.body.id);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it("issues it (\"Étape 2\", no body) with FAC-<year>-00001 and the seller's mentions; the next one gets 00002", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const first = await draft(api, seedInvoiceBody(dept.id));

    const res = await api.issue(first.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...first,
      status: "issued",
      invoice_number: fac(1),
      issued_at: expect.any(String),
      updated_at: expect.any(String),
      version: 2,
      warnings: [pastDueWarning],
      mentions: {
        document_type: "Facture",
        type_code: 380,
        issue_date: TODAY,
        seller: {
          name: "Mairie de Lyon",
          siret: "21690123400019",
          siren: "216901234",
          vat_number: "FR21216901234",
          address: SEED.organization.address,
        },
        buyer_is_business: false,
        due_date: "2024-03-31",
        payment_terms: "Paiement sous 30 jours",
        early_payment_discount: expect.any(String),
        late_payment_penalty: null,
        recovery_indemnity: null,
        vat_exemption: null,
        // A public entity prints its régie's name under its own.
        seller_unit: SEED.department.name,
        vat_on_debits: false,
        seller_email: null,
        primary_color: null,
        quote_number: null,
      },
      document: {
        pdf_url: `/v1/invoices/${first.id}/pdf`,
        xml_url: `/v1/invoices/${first.id}/xml`,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        xml_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        generated_at: res.body.issued_at,
      },
    });
    expect(res.body.issued_at).toBe(res.body.updated_at);
    expect(parisToday(new Date(res.body.issued_at))).toBe(TODAY);
    expect((await api.get(first.id)).body).toEqual(res.body);

    const second = await issued(api, seedInvoiceBody(dept.id));
    expect(second.invoice_number).toBe(fac(2));
  });

  it.each([
    { case: "a SIREN", payer: BUSINESS_PAYER },
    { case: "a VAT number", payer: { name: "EDF SA", email: "factures@edf.example", vat_number: "FR03552081317" } },
  ])("adds the late-payment penalty and the 40 € indemnity for a business payer with $case", async ({ payer }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id, { payer }));
    expect(inv.payer).toEqual(payer);
    expect(inv.mentions).toMatchObject({
      buyer_is_business: true,
      late_payment_penalty: expect.stringContaining("L441-10"),
      recovery_indemnity: { amount: 4000, currency: "EUR", text: expect.stringContaining("40 €") },
    });
  });

  it("gives a draft without due_date a due date 30 days after issue", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const { due_date: _omit, payment_terms: _terms, ...noDue } = seedInvoiceBody(dept.id);
    const d = await draft(api, noDue);
    expect(d).toMatchObject({ due_date: null, payment_terms: null, warnings: [] });
    const inv = await expectOk(await api.issue(d.id));
    const due = addDays(TODAY, 30);
    expect(inv.due_date).toBe(due);
    expect(inv.warnings).toEqual([]);
    expect(inv.mentions).toMatchObject({
      due_date: due,
      payment_terms: `Paiement à réception, au plus tard le ${due.split("-").reverse().join("/")}`,
    });
    expect((await api.get(d.id)).body.due_date).toBe(due);
  });

  it("creates seed 000's example verbatim (1 × 3800 at 5.5 % → 4009)", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const res = await api.create({
      department_id: dept.id,
      payer: { name: "Jean Dupont", email: "jean.dupont@email.fr" },
      due_date: "2026-03-15",
      line_items: [{ description: "Consommation eau T1 2026 — 125 m³", quantity: 1, unit_price: 3800, vat_rate: 5.5 }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "draft",
      invoice_number: null,
      subtotal_amount: 3800,
      tax_amount: 209,
      total_amount: 4009,
      amount_due: 4009,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 3800, tax_amount: 209 }],
      due_date: "2026-03-15",
      payment_terms: null,
    });
    expect(res.body.warnings).toEqual("2026-03-15" < TODAY ? [pastDueWarning] : []);
  });

  it("keeps metadata, and needs invoices:write to create (403) but only invoices:read to read", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, body(dept.id, { metadata: { external_ref: "CRM-4711" } }));
    expect(d.metadata).toEqual({ external_ref: "CRM-4711" });
    const reader = scoped(await accessToken(t.credential, "invoices:read"), org.id);
    expect((await reader.get(d.id)).body).toEqual(d);
    expect(ids(await reader.list())).toEqual([d.id]);
    const before = await rowCounts(t.partnerId);
    expectError(await reader.create(body(dept.id)), 403, { type: "permission_error" });
    expectError(await reader.issue(d.id), 403, { type: "permission_error" });
    expectError(await reader.cancel(d.id), 403, { type: "permission_error" });
    expectError(await reader.patch(d.id, { payment_terms: "x" }), 403, { type: "permission_error" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });

  it("answers 404 for an unknown invoice, another organization's and another partner's", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const other = await orgAndDept(t.token, VALID_ORGANIZATION);
    const api = scoped(t.token, org.id);
    const mine = await draft(api, body(dept.id));
    const stranger = await createPartner();
    const theirs = await seedWorld(stranger);
    for (const res of [
      await api.get(UNKNOWN_INVOICE),
      await api.get("nope"),
      await scoped(t.token, other.org.id).get(mine.id),
      await api.get(theirs.invoice.id),
      await scoped(t.token, theirs.org.id).get(theirs.invoice.id),
      await api.issue(theirs.invoice.id),
      await api.cancel(theirs.invoice.id),
      await api.patch(theirs.invoice.id, { payment_terms: "x" }),
    ]) {
      expectError(res, 404, { type: "not_found_error", code: "resource_missing" });
    }
    expect((await scoped(stranger.token, theirs.org.id).get(theirs.invoice.id)).body.status).toBe("draft");
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Amounts
// ---------------------------------------------------------------------------------------------

describe("invoice amounts", () => {
  it("rounds line nets half-up and VAT per rate on the sum of nets, breakdown ordered by rate", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const lines = [
      line(1.5, 333, 20, "Heures de conseil"), // 499.5 → 500
      line(1, 3, 20, "Frais"), // VAT 0.6 alone would round to 1
      line(1, 3, 20, "Frais bis"),
      line(3, 100, 5.5, "Eau"), // 300 × 5.5 % = 16.5 → 17 (half-up)
      line(0.125, 9999, 10, "Assainissement"), // 1249.875 → 1250
      line(0.5, 5, 10, "Demi-unité"), // 2.5 → 3
      line(2, 250, 0, "Exonéré"),
      line(1, 50, 2.1, "Presse"), // VAT 1.05 → 1
    ];
    const res = await api.create(body(dept.id, { line_items: lines, vat_exemption_reason: "TVA non applicable, art. 261 du CGI" }));
    expect(res.status).toBe(201);
    expect(res.body.line_items.map((l: { net_amount: number }) => l.net_amount)).toEqual([500, 3, 3, 300, 1250, 3, 500, 50]);
    expect(res.body.line_items[0]).toEqual({ description: "Heures de conseil", quantity: 1.5, unit: "C62", unit_price: 333, vat_rate: 20, net_amount: 500 });
    expect(res.body.tax_breakdown).toEqual([
      { vat_rate: 0, taxable_amount: 500, tax_amount: 0 },
      { vat_rate: 2.1, taxable_amount: 50, tax_amount: 1 },
      { vat_rate: 5.5, taxable_amount: 300, tax_amount: 17 },
      { vat_rate: 10, taxable_amount: 1253, tax_amount: 125 },
      { vat_rate: 20, taxable_amount: 506, tax_amount: 101 },
    ]);
    expect(res.body).toMatchObject({
      subtotal_amount: 2609,
      tax_amount: 244,
      total_amount: 2853,
      amount_due: 2853,
      vat_exemption_reason: "TVA non applicable, art. 261 du CGI",
    });
    const inv = await expectOk(await api.issue(res.body.id));
    expect(inv.mentions.vat_exemption).toBe("TVA non applicable, art. 261 du CGI");
    expect(inv.total_amount).toBe(2853);
  });

  it("accepts 500 lines and a quantity with 3 decimals", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const res = await api.create(body(dept.id, { line_items: Array.from({ length: 500 }, () => line(0.001, 1000, 20)) }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ subtotal_amount: 500, tax_amount: 100, total_amount: 600 });
    expect(res.body.line_items).toHaveLength(500);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Bad input
// ---------------------------------------------------------------------------------------------

type World = { org: { id: string }; dept: { id: string }; t: Tenant };

const seedLine = { description: "Consommation eau T1 2024", quantity: 125, unit_price: 320, vat_rate: 5.5 };

describe("POST /v1/invoices refuses bad input and writes nothing", () => {
  it.each<{ case: string; body: (w: World) => Promise<unknown> | unknown; status: number; code: string; param: string }>([
    { case: "empty line_items", body: (w) => body(w.dept.id, { line_items: [] }), status: 400, code: "invalid_parameter", param: "line_items" },
    {
      case: "501 lines",
      body: (w) => body(w.dept.id, { line_items: Array.from({ length: 501 }, () => seedLine) }),
      status: 400,
      code: "invalid_parameter",
      param: "line_items",
    },
    { case: "quantity 0", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, quantity: 0 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.quantity" },
    { case: "quantity -1", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, quantity: -1 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.quantity" },
    { case: "quantity 1.2345", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, quantity: 1.2345 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.quantity" },
    { case: "quantity 1e-10 (rounds to 0 at 3 decimals)", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, quantity: 1e-10 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.quantity" },
    { case: "unit_price 12.5", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, unit_price: 12.5 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.unit_price" },
    { case: "unit_price \"320\"", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, unit_price: "320" }] }), status: 400, code: "invalid_parameter", param: "line_items.0.unit_price" },
    { case: "a negative unit_price on a second line", body: (w) => body(w.dept.id, { line_items: [seedLine, { ...seedLine, unit_price: -1 }] }), status: 400, code: "invalid_parameter", param: "line_items.1.unit_price" },
    { case: "vat_rate 19.6", body: (w) => body(w.dept.id, { line_items: [{ ...seedLine, vat_rate: 19.6 }] }), status: 400, code: "invalid_parameter", param: "line_items.0.vat_rate" },
    {
      case: "a 0 % line without vat_exemption_reason",
      body: (w) => body(w.dept.id, { line_items: [seedLine, { ...seedLine, vat_rate: 0 }] }),
      status: 400,
      code: "vat_exemption_reason_required",
      param: "vat_exemption_reason",
    },
    { case: "currency USD", body: (w) => body(w.dept.id, { currency: "USD" }), status: 400, code: "invalid_parameter", param: "currency" },
    {
      case: "a bad payer email",
      body: (w) => body(w.dept.id, { payer: { name: "Jean Dupont", email: "jean.dupont" } }),
      status: 400,
      code: "invalid_parameter",
      param: "payer.email",
    },
    { case: "an unknown field", body: (w) => body(w.dept.id, { montant: 42200 }), status: 400, code: "invalid_parameter", param: "montant" },
    { case: "due_date 2026-02-30", body: (w) => body(w.dept.id, { due_date: "2026-02-30" }), status: 400, code: "invalid_parameter", param: "due_date" },
    { case: "a missing department_id", body: (w) => { const { department_id: _d, ...rest } = body(w.dept.id); return rest; }, status: 400, code: "invalid_parameter", param: "department_id" },
    { case: "an unknown department id", body: () => body(UNKNOWN_DEPT), status: 404, code: "resource_missing", param: "department_id" },
    { case: "a malformed department id", body: () => body("régie-eau"), status: 404, code: "resource_missing", param: "department_id" },
    {
      case: "a department of another organization of the same partner",
      body: async (w) => body((await orgAndDept(w.t.token, VALID_ORGANIZATION)).dept.id),
      status: 404,
      code: "resource_missing",
      param: "department_id",
    },
    {
      case: "another partner's department",
      body: async () => body((await orgAndDept((await createPartner()).token)).dept.id),
      status: 404,
      code: "resource_missing",
      param: "department_id",
    },
    {
      case: "the same partner's live-mode department",
      body: async (w) => body((await orgAndDept(await liveToken(w.t), { ...VALID_ORGANIZATION, address: SEED.organization.address })).dept.id),
      status: 404,
      code: "resource_missing",
      param: "department_id",
    },
  ])("$case → $status $code (param $param)", async ({ body: makeBody, status, code, param }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const payload = await makeBody({ org, dept, t });
    const before = await rowCounts(t.partnerId);
    const res = await scoped(t.token, org.id).create(payload);
    expectError(res, status, { code, param, type: status === 404 ? "not_found_error" : "invalid_request_error" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(before.invoices).toBe(0);
  });

  it("refuses a missing X-Entity-Id (400) and another partner's organization (404)", async () => {
    const t = await createPartner();
    const { dept } = await orgAndDept(t.token);
    const missing = await call("/v1/invoices", { token: t.token, body: body(dept.id) });
    expectError(missing, 400, { code: "missing_entity_id", param: "X-Entity-Id" });
    const theirs = await orgAndDept((await createPartner()).token);
    const res = await scoped(t.token, theirs.org.id).create(body(dept.id));
    expectError(res, 404, { code: "resource_missing" });
    expect((await rowCounts(t.partnerId)).invoices).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Live mode
// ---------------------------------------------------------------------------------------------

describe("live mode", () => {
  const LIVE_ORG = { ...VALID_ORGANIZATION, address: { line1: "22-30 avenue de Wagram", postal_code: "75008", city: "Paris", country: "FR" } };

  it("refuses a past due_date with 400 due_date_in_past and writes nothing; a future one is issued without warnings", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const { org, dept } = await orgAndDept(live, LIVE_ORG);
    const api = scoped(live, org.id);
    const before = await rowCounts(t.partnerId);
    const res = await api.create(seedInvoiceBody(dept.id));
    expectError(res, 400, { type: "invalid_request_error", code: "due_date_in_past", param: "due_date" });
    expect(await rowCounts(t.partnerId)).toEqual(before);

    const yesterday = await api.create(body(dept.id, { due_date: addDays(TODAY, -1) }));
    expectError(yesterday, 400, { code: "due_date_in_past", param: "due_date" });

    const todayDue = await draft(api, body(dept.id, { due_date: TODAY }));
    expectError(await api.patch(todayDue.id, { due_date: "2024-03-31" }), 400, { code: "due_date_in_past", param: "due_date" });
    expect(todayDue).toMatchObject({ livemode: true, warnings: [] });
    const inv = await expectOk(await api.issue(todayDue.id));
    expect(inv).toMatchObject({ livemode: true, status: "issued", invoice_number: fac(1), warnings: [] });
    expect(inv.mentions.seller).toEqual({ name: "EDF", siret: "55208131766522", siren: "552081317", vat_number: "FR03552081317", address: LIVE_ORG.address });
    // Test mode does not see it.
    expect((await scoped(t.token, org.id).get(inv.id)).status).toBe(404);
  });

  it("refuses to issue a draft whose due date has passed since (422), and it stays a numberless draft", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const { org, dept } = await orgAndDept(live, LIVE_ORG);
    const api = scoped(live, org.id);
    const d = await draft(api, body(dept.id));
    await env.DB.prepare("UPDATE invoices SET due_date = '2024-01-01' WHERE id = ?").bind(d.id).run();
    const before = await rowCounts(t.partnerId);
    expectError(await api.issue(d.id), 422, { code: "due_date_in_past", param: "due_date" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(d.id)).body).toMatchObject({ status: "draft", invoice_number: null });
    expect((await api.patch(d.id, { due_date: FUTURE })).status).toBe(200);
    expect((await expectOk(await api.issue(d.id))).invoice_number).toBe(fac(1));
  });

  it("refuses to issue when the organization has no address (422 seller_address_required), leaving no gap in the numbers", async () => {
    const t = await createPartner();
    const live = await liveToken(t);
    const { org, dept } = await orgAndDept(live, VALID_ORGANIZATION);
    const api = scoped(live, org.id);
    const d = await draft(api, body(dept.id));
    const before = await rowCounts(t.partnerId);
    const res = await api.issue(d.id);
    expectError(res, 422, { type: "business_rule_error", code: "seller_address_required", param: "organization.address" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(d.id)).body).toEqual(d);

    await expectOk(await call(`/v1/organizations/${org.id}`, { method: "PATCH", token: live, body: { address: LIVE_ORG.address } }));
    const inv = await expectOk(await api.issue(d.id));
    expect(inv).toMatchObject({ status: "issued", invoice_number: fac(1), warnings: [] });
    expect(inv.mentions.seller.address).toEqual(LIVE_ORG.address);
  });

  it("in test mode, issues without a seller address with a seller_address_missing warning", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token, VALID_ORGANIZATION);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    expect(inv).toMatchObject({ status: "issued", invoice_number: fac(1) });
    expect(inv.warnings).toEqual([expect.objectContaining({ code: "seller_address_missing", param: "organization.address" })]);
    expect(inv.mentions.seller).toEqual({ name: "EDF", siret: "55208131766522", siren: "552081317", vat_number: "FR03552081317", address: null });
    expect((await api.get(inv.id)).body).toEqual(inv);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Transitions, credit notes, numbering
// ---------------------------------------------------------------------------------------------

describe("invoice transitions", () => {
  it("refuses to issue twice (409 invoice_not_draft) and to edit an issued invoice (409)", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    const before = await rowCounts(t.partnerId);
    expectError(await api.issue(inv.id), 409, { type: "conflict_error", code: "invoice_not_draft" });
    expectError(await api.patch(inv.id, { payment_terms: "Paiement à 45 jours" }), 409, { type: "conflict_error", code: "invoice_not_draft" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(inv.id)).body).toEqual(inv);
    // The refused second issue consumed no number.
    expect((await issued(api, body(dept.id))).invoice_number).toBe(fac(2));
  });

  it("cancels a draft without a credit note; its number stays null; then refuses to issue or cancel it again", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, body(dept.id));
    const res = await api.cancel(d.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...d,
      status: "cancelled",
      invoice_number: null,
      credit_note: null,
      amount_due: 0,
      cancelled_at: expect.any(String),
      updated_at: expect.any(String),
      version: 2,
    });
    expect((await api.get(d.id)).body).toEqual(res.body);
    expect((await rowCounts(t.partnerId)).credit_notes).toBe(0);
    expectError(await api.cancel(d.id), 409, { code: "invoice_already_cancelled" });
    expectError(await api.issue(d.id), 409, { code: "invoice_not_draft" });
    expectError(await api.patch(d.id, { payment_terms: "x" }), 409, { code: "invoice_not_draft" });
    // No number was consumed by the draft.
    expect((await issued(api, body(dept.id))).invoice_number).toBe(fac(1));
  });

  it("cancels an issued invoice by a credit note AV-<year>-00001 citing it, embedded on GET", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, seedInvoiceBody(dept.id));
    const res = await api.cancel(inv.id, { reason: "Erreur de facturation" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: inv.id,
      status: "cancelled",
      invoice_number: fac(1),
      amount_paid: 0,
      amount_due: 0,
      total_amount: 42200,
      cancelled_at: expect.any(String),
      version: 3,
    });
    expect(res.body.credit_note).toEqual({
      id: expect.stringMatching(/^cn-/),
      object: "credit_note",
      livemode: false,
      version: 1,
      organization_id: org.id,
      invoice_id: inv.id,
      credit_note_number: av(1),
      invoice_number: fac(1),
      invoice_issue_date: TODAY,
      type: "cancellation",
      refund_id: null,
      reason: "Erreur de facturation",
      currency: "EUR",
      // A cancellation credits the invoice's own lines.
      line_items: inv.line_items,
      subtotal_amount: 40000,
      tax_amount: 2200,
      total_amount: 42200,
      tax_breakdown: inv.tax_breakdown,
      mentions: expect.objectContaining({
        document_type: "Avoir",
        type_code: 381,
        issue_date: TODAY,
        seller: inv.mentions.seller,
        cancels: expect.stringContaining(fac(1)),
      }),
      document: {
        pdf_url: `/v1/credit_notes/${res.body.credit_note.id}/pdf`,
        xml_url: `/v1/credit_notes/${res.body.credit_note.id}/xml`,
        sha256: res.body.credit_note.document.sha256,
        xml_sha256: res.body.credit_note.document.xml_sha256,
        generated_at: res.body.credit_note.document.generated_at,
      },
      issued_at: expect.any(String),
      created_at: expect.any(String),
    });
    expect(res.body.credit_notes).toEqual([
      { id: res.body.credit_note.id, credit_note_number: av(1), type: "cancellation", refund_id: null, total_amount: 42200, issued_at: res.body.credit_note.issued_at },
    ]);
    expect(res.body.credit_note.mentions.cancels).toContain(TODAY.split("-").reverse().join("/"));
    expect(res.body.mentions).toEqual(inv.mentions);

    const got = await api.get(inv.id);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const before = await rowCounts(t.partnerId);
    expectError(await api.cancel(inv.id), 409, { type: "conflict_error", code: "invoice_already_cancelled" });
    expectError(await api.issue(inv.id), 409, { type: "conflict_error", code: "invoice_not_draft" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
  });

  it("cancels an issued invoice with no body (reason null)", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    const res = await api.cancel(inv.id);
    expect(res.status).toBe(200);
    expect(res.body.credit_note).toMatchObject({ credit_note_number: av(1), reason: null, total_amount: inv.total_amount });
  });

  it.each([
    { case: "an empty reason", body: { reason: " " }, param: "reason" },
    { case: "an unknown field", body: { motif: "Erreur" }, param: "motif" },
  ])("refuses a cancel with $case (400 param $param) and changes nothing", async ({ body: cancelBody, param }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    const before = await rowCounts(t.partnerId);
    expectError(await api.cancel(inv.id, cancelBody), 400, { type: "invalid_request_error", code: "invalid_parameter", param });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(inv.id)).body).toEqual(inv);
  });

  it.each([
    { case: "partially paid", status: "partially_paid" },
    { case: "issued with money on it", status: "issued" },
  ])("refuses to cancel an invoice $case (409 invoice_has_payments) and writes nothing", async ({ status }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    await env.DB.prepare("UPDATE invoices SET amount_paid = 100, amount_due = amount_due - 100, status = ? WHERE id = ?").bind(status, inv.id).run();
    const before = await rowCounts(t.partnerId);
    expectError(await api.cancel(inv.id), 409, { type: "conflict_error", code: "invoice_has_payments" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(inv.id)).body).toMatchObject({ status, amount_paid: 100, credit_note: null, cancelled_at: null });
  });

  it("cancels an overdue invoice with nothing paid by a credit note", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    await env.DB.prepare("UPDATE invoices SET status = 'overdue' WHERE id = ?").bind(inv.id).run();
    const res = await api.cancel(inv.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "cancelled", amount_due: 0, credit_note: { credit_note_number: av(1), invoice_number: fac(1) } });
  });

  it("numbers credit notes and invoices independently, per organization", async () => {
    const t = await createPartner();
    const a = await orgAndDept(t.token);
    const b = await orgAndDept(t.token, VALID_ORGANIZATION);
    const apiA = scoped(t.token, a.org.id);
    const apiB = scoped(t.token, b.org.id);

    const a1 = await issued(apiA, body(a.dept.id));
    const a2 = await issued(apiA, body(a.dept.id));
    const aCancelled = await expectOk(await apiA.cancel(a2.id));
    const a3 = await issued(apiA, body(a.dept.id));
    const a1Cancelled = await expectOk(await apiA.cancel(a1.id));
    expect([a1.invoice_number, a2.invoice_number, a3.invoice_number]).toEqual([fac(1), fac(2), fac(3)]);
    expect(aCancelled.credit_note).toMatchObject({ credit_note_number: av(1), invoice_number: fac(2) });
    expect(a1Cancelled.credit_note).toMatchObject({ credit_note_number: av(2), invoice_number: fac(1) });

    const b1 = await issued(apiB, body(b.dept.id));
    expect(b1.invoice_number).toBe(fac(1));
    expect((await expectOk(await apiB.cancel(b1.id))).credit_note.credit_note_number).toBe(av(1));
  });
});

// ---------------------------------------------------------------------------------------------
// 6. PATCH a draft
// ---------------------------------------------------------------------------------------------

describe("PATCH /v1/invoices/{id}", () => {
  async function updatedEntries(api: ReturnType<typeof scoped>, id: string) {
    return (await expectOk(await api.audit(`resource_type=invoice&resource_id=${id}&action=updated`))).data;
  }

  it("recomputes amounts and amount_due when the lines change", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const res = await api.patch(d.id, { line_items: [line(2, 1000, 20, "Abonnement"), line(1.5, 333, 5.5, "Compteur")] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...d,
      line_items: [
        { description: "Abonnement", quantity: 2, unit: "C62", unit_price: 1000, vat_rate: 20, net_amount: 2000 },
        { description: "Compteur", quantity: 1.5, unit: "C62", unit_price: 333, vat_rate: 5.5, net_amount: 500 },
      ],
      subtotal_amount: 2500,
      tax_amount: 428, // 500 × 5.5 % = 27.5 → 28, 2000 × 20 % = 400
      total_amount: 2928,
      tax_breakdown: [
        { vat_rate: 5.5, taxable_amount: 500, tax_amount: 28 },
        { vat_rate: 20, taxable_amount: 2000, tax_amount: 400 },
      ],
      amount_due: 2928,
      version: 2,
      updated_at: expect.any(String),
    });
    expect(res.body.updated_at >= d.updated_at).toBe(true);
    expect((await api.get(d.id)).body).toEqual(res.body);
    expect(await updatedEntries(api, d.id)).toHaveLength(1);
    const issuedInv = await expectOk(await api.issue(d.id));
    expect(issuedInv.total_amount).toBe(2928);
  });

  it("changes the payer, and the payer_email filter follows", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const payer = { name: "Marie Curie", email: "Marie.Curie@example.org" };
    const res = await api.patch(d.id, { payer });
    expect(res.status).toBe(200);
    expect(res.body.payer).toEqual(payer);
    expect((await api.get(d.id)).body.payer).toEqual(payer);
    expect(ids(await api.list("payer_email=marie.curie%40example.org"))).toEqual([d.id]);
    expect(ids(await api.list(`payer_email=${encodeURIComponent(SEED_EMAIL)}`))).toEqual([]);
    const entries = await updatedEntries(api, d.id);
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain("Marie.Curie@example.org");
    expect(JSON.stringify(entries)).not.toContain("Marie Curie");
  });

  it("records a change of the payer's address alone", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const payer = { ...d.payer, address: { line1: "3 quai Saint-Antoine", postal_code: "69002", city: "Lyon", country: "FR" } };
    const res = await expectOk(await api.patch(d.id, { payer }));
    expect(res).toMatchObject({ payer, version: 2 });
    expect((await api.get(d.id)).body.payer).toEqual(payer);
    expect(await updatedEntries(api, d.id)).toHaveLength(1);
  });

  it("adds the due_date_in_past warning for a past due date in test mode and drops it for a future one", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, body(dept.id));
    expect(d.warnings).toEqual([]);
    const past = await expectOk(await api.patch(d.id, { due_date: "2024-12-31" }));
    expect(past).toMatchObject({ due_date: "2024-12-31", warnings: [pastDueWarning] });
    const future = await expectOk(await api.patch(d.id, { due_date: FUTURE }));
    expect(future).toMatchObject({ due_date: FUTURE, warnings: [] });
    const cleared = await expectOk(await api.patch(d.id, { due_date: null }));
    expect(cleared).toMatchObject({ due_date: null, warnings: [] });
    expect((await api.get(d.id)).body).toEqual(cleared);
  });

  it.each([
    { case: "an empty body", patch: {} },
    { case: "the same values", patch: { payment_terms: "Paiement sous 30 jours", due_date: "2024-03-31" } },
    { case: "the same payer", patch: { payer: seedInvoiceBody(UNKNOWN_DEPT).payer } },
  ])("returns the draft unchanged for $case and writes no audit entry", async ({ patch }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const before = await rowCounts(t.partnerId);
    const res = await api.patch(d.id, patch);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(d);
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await updatedEntries(api, d.id)).toEqual([]);
  });

  it("moves a draft to another department of the organization, and refuses a foreign one with 404", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, body(dept.id));
    const sibling = await expectOk(
      await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: { name: "Cantine", code: "CANTINE-01" } }),
      201,
    );
    const moved = await expectOk(await api.patch(d.id, { department_id: sibling.id }));
    expect(moved.department_id).toBe(sibling.id);

    const otherOrg = await orgAndDept(t.token, VALID_ORGANIZATION);
    const otherPartner = await orgAndDept((await createPartner()).token);
    for (const foreign of [otherOrg.dept.id, otherPartner.dept.id, UNKNOWN_DEPT, "nope"]) {
      const before = await rowCounts(t.partnerId);
      expectError(await api.patch(d.id, { department_id: foreign, payment_terms: "Autre" }), 404, { code: "resource_missing", param: "department_id" });
      expect(await rowCounts(t.partnerId)).toEqual(before);
    }
    expect((await api.get(d.id)).body).toEqual(moved);
  });

  it.each([
    { case: "empty line_items", patch: { line_items: [] }, code: "invalid_parameter", param: "line_items" },
    { case: "a quantity of 0", patch: { line_items: [{ ...seedLine, quantity: 0 }] }, code: "invalid_parameter", param: "line_items.0.quantity" },
    { case: "currency (set at creation)", patch: { currency: "EUR" }, code: "invalid_parameter", param: "currency" },
    { case: "a 0 % line without reason", patch: { line_items: [{ ...seedLine, vat_rate: 0 }] }, code: "vat_exemption_reason_required", param: "vat_exemption_reason" },
    { case: "a bad due date", patch: { due_date: "31/03/2024" }, code: "invalid_parameter", param: "due_date" },
  ])("refuses $case with 400 param $param and changes nothing", async ({ patch, code, param }) => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const before = await rowCounts(t.partnerId);
    expectError(await api.patch(d.id, patch), 400, { type: "invalid_request_error", code, param });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await api.get(d.id)).body).toEqual(d);
  });

  it("refuses removing the exemption reason while a 0 % line remains", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, body(dept.id, { line_items: [line(1, 100, 0)], vat_exemption_reason: "TVA non applicable, art. 293 B du CGI" }));
    expectError(await api.patch(d.id, { vat_exemption_reason: null }), 400, { code: "vat_exemption_reason_required", param: "vat_exemption_reason" });
    expect((await api.get(d.id)).body).toEqual(d);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. List
// ---------------------------------------------------------------------------------------------

describe("GET /v1/invoices", () => {
  /** Four invoices in one organization (two departments), newest first = [d, c, b, a]. */
  async function fourInvoices(t: Tenant) {
    const { org, dept } = await orgAndDept(t.token);
    const other = await expectOk(
      await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: { name: "Cantine", code: "CANTINE-01" } }),
      201,
    );
    const api = scoped(t.token, org.id);
    const a = await draft(api, seedInvoiceBody(dept.id)); // due 2024-03-31, Jean Dupont
    const b = await issued(api, body(dept.id, { due_date: "2030-01-15", payer: BUSINESS_PAYER }));
    const c = await draft(api, body(other.id, { due_date: "2030-02-15" }));
    const { due_date: _none, ...noDue } = body(other.id, { payer: { name: "Paul Martin", email: "paul.martin@example.net" } });
    const d = await issued(api, noDue); // due today + 30
    await expectOk(await api.cancel(d.id));
    // Creation instants set apart, to test the date filters deterministically.
    const at = [
      [a.id, "2025-01-10T10:00:00.000Z"],
      [b.id, "2025-01-20T10:00:00.000Z"],
      [c.id, "2025-01-31T23:30:00.000Z"], // 1 February 00:30 in Paris
      [d.id, "2025-02-05T10:00:00.000Z"],
    ] as const;
    for (const [id, createdAt] of at) await env.DB.prepare("UPDATE invoices SET created_at = ? WHERE id = ?").bind(createdAt, id).run();
    return { org, dept, other, api, a, b, c, d };
  }

  it("lists newest first with the pagination envelope, and pages", async () => {
    const t = await createPartner();
    const { api, a, b, c, d } = await fourInvoices(t);
    const all = await api.list();
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([d.id, c.id, b.id, a.id]);
    expect(all.body.pagination).toEqual({ page: 1, page_size: 20, total_items: 4, total_pages: 1 });
    expect(all.body.data[2]).toMatchObject({ id: b.id, status: "issued", invoice_number: fac(1), payer: BUSINESS_PAYER });
    expect(all.body.data[0]).toMatchObject({ id: d.id, status: "cancelled", credit_note: null });
    expect((await api.get(c.id)).body).toMatchObject(all.body.data[1]);

    const p1 = await api.list("page=1&page_size=3");
    const p2 = await api.list("page=2&page_size=3");
    expect(ids(p1)).toEqual([d.id, c.id, b.id]);
    expect(p1.body.pagination).toEqual({ page: 1, page_size: 3, total_items: 4, total_pages: 2 });
    expect(ids(p2)).toEqual([a.id]);
    expect(p2.body.pagination).toEqual({ page: 2, page_size: 3, total_items: 4, total_pages: 2 });
    const limited = await api.list("limit=1&page=4");
    expect(ids(limited)).toEqual([a.id]);
    expect(limited.body.pagination).toEqual({ page: 4, page_size: 1, total_items: 4, total_pages: 4 });
  });

  it("filters by status, department, payer email (case-insensitive) and number", async () => {
    const t = await createPartner();
    const { api, dept, other, a, b, c, d } = await fourInvoices(t);
    expect(ids(await api.list("status=draft"))).toEqual([c.id, a.id]);
    expect(ids(await api.list("status=issued"))).toEqual([b.id]);
    expect(ids(await api.list("status=cancelled"))).toEqual([d.id]);
    expect(ids(await api.list("status=paid"))).toEqual([]);
    expect(ids(await api.list(`department_id=${dept.id}`))).toEqual([b.id, a.id]);
    expect(ids(await api.list(`department_id=${other.id}`))).toEqual([d.id, c.id]);
    expect(ids(await api.list(`department_id=${other.id}&status=draft`))).toEqual([c.id]);
    expect(ids(await api.list("payer_email=JEAN.DUPONT%40Example.com"))).toEqual([c.id, a.id]);
    expect(ids(await api.list("payer_email=factures%40edf.example"))).toEqual([b.id]);
    expect(ids(await api.list("payer_email=jean%40example.com"))).toEqual([]);
    const byNumber = await api.list(`number=${fac(1)}`);
    expect(ids(byNumber)).toEqual([b.id]);
    expect(byNumber.body.pagination.total_items).toBe(1);
    expect(ids(await api.list(`number=${fac(2)}`))).toEqual([d.id]);
    expect(ids(await api.list(`number=FAC-${YEAR}-0000`))).toEqual([]);
  });

  it("filters by due date (both bounds inclusive) and by creation date (instants or Paris dates)", async () => {
    const t = await createPartner();
    const { api, a, b, c, d } = await fourInvoices(t);
    expect(ids(await api.list("due_after=2030-01-15"))).toEqual([c.id, b.id]);
    expect(ids(await api.list("due_before=2030-01-15"))).toEqual([d.id, b.id, a.id]);
    expect(ids(await api.list("due_after=2030-01-15&due_before=2030-01-15"))).toEqual([b.id]);
    expect(ids(await api.list("due_after=2024-04-01&due_before=2030-02-14"))).toEqual([d.id, b.id]);

    expect(ids(await api.list("created_from=2025-01-20T10:00:00.000Z"))).toEqual([d.id, c.id, b.id]);
    expect(ids(await api.list("created_to=2025-01-20T10:00:00.000Z"))).toEqual([b.id, a.id]);
    expect(ids(await api.list("created_from=2025-01-20T10:00:00.001Z&created_to=2025-01-31T23:30:00Z"))).toEqual([c.id]);
    // Paris dates: c was created on 1 February in Paris.
    expect(ids(await api.list("created_to=2025-01-31"))).toEqual([b.id, a.id]);
    expect(ids(await api.list("created_from=2025-02-01"))).toEqual([d.id, c.id]);
    expect(ids(await api.list("created_from=2025-02-01&created_to=2025-02-01"))).toEqual([c.id]);
  });

  it.each([
    { query: "status=unpaid", param: "status" },
    { query: "due_before=2030-13-01", param: "due_before" },
    { query: "due_after=tomorrow", param: "due_after" },
    { query: "created_from=yesterday", param: "created_from" },
    { query: "page_size=101", param: "page_size" },
    { query: "page=0", param: "page" },
  ])("refuses ?$query with 400 param $param", async ({ query, param }) => {
    const t = await createPartner();
    const { org } = await orgAndDept(t.token);
    expectError(await scoped(t.token, org.id).list(query), 400, { type: "invalid_request_error", code: "invalid_parameter", param });
  });

  it("needs X-Entity-Id (400), answers 404 for another partner's organization, and lists only the caller's mode", async () => {
    const t = await createPartner();
    const { org } = await seedWorld(t);
    expectError(await call("/v1/invoices", { token: t.token }), 400, { code: "missing_entity_id", param: "X-Entity-Id" });
    const stranger = await createPartner();
    const theirs = await seedWorld(stranger);
    expectError(await scoped(t.token, theirs.org.id).list(), 404, { type: "not_found_error", code: "resource_missing" });
    expectError(await scoped(await liveToken(t), org.id).list(), 404, { code: "resource_missing" });
    expect((await scoped(t.token, org.id).list()).body.pagination.total_items).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Events and audit
// ---------------------------------------------------------------------------------------------

describe("events and audit trail", () => {
  it("writes exactly created, draft→issued and issued→cancelled events, and an audit that never shows the payer in clear", async () => {
    const t = await createPartner();
    const { org, invoice } = await seedWorld(t);
    const api = scoped(t.token, org.id);
    const issuedInv = await expectOk(await api.issue(invoice.id));
    const cancelled = await expectOk(await api.cancel(invoice.id, { reason: "Erreur de facturation" }));

    const events = await eventsOf(t.partnerId);
    expect(events.map((e) => e.type)).toEqual(["invoice.created", "invoice.status_changed", "invoice.status_changed"]);
    expect(events[0]!.data).toMatchObject({ invoice_id: invoice.id, invoice: { id: invoice.id, status: "draft", invoice_number: null, total_amount: 42200 } });
    expect(events[1]!.data).toMatchObject({
      invoice_id: invoice.id,
      previous_status: "draft",
      current_status: "issued",
      invoice: { id: invoice.id, status: "issued", invoice_number: fac(1) },
    });
    expect(events[1]!.data.invoice).toEqual(issuedInv);
    expect(events[2]!.data).toMatchObject({
      invoice_id: invoice.id,
      previous_status: "issued",
      current_status: "cancelled",
      invoice: { id: invoice.id, status: "cancelled", invoice_number: fac(1), credit_note: { credit_note_number: av(1), invoice_number: fac(1) } },
    });
    expect(events[2]!.data.invoice).toEqual(cancelled);
    const { results: rows } = await env.DB.prepare("SELECT organization_id, livemode FROM events WHERE partner_id = ?").bind(t.partnerId).all();
    expect(rows).toEqual(Array(3).fill({ organization_id: org.id, livemode: 0 }));

    const trail = await expectOk(await api.audit("resource_type=invoice"));
    expect(trail.data.map((e: { action: string; resource_id: string }) => [e.action, e.resource_id])).toEqual([
      ["created", invoice.id],
      ["status_changed", invoice.id],
      ["status_changed", invoice.id],
    ]);
    expect(trail.data[1].changes).toEqual({
      before: { status: "draft", invoice_number: null },
      after: expect.objectContaining({ status: "issued", invoice_number: fac(1) }),
    });
    expect(trail.data[2].changes).toMatchObject({ before: { status: "issued" }, after: { status: "cancelled", credit_note_id: cancelled.credit_note.id } });
    expect(trail.data[0].changes.after).toMatchObject({ id: invoice.id, total_amount: 42200, payer: { business: false } });

    const notes = await expectOk(await api.audit("resource_type=credit_note"));
    expect(notes.data).toHaveLength(1);
    expect(notes.data[0]).toMatchObject({ action: "created", resource_id: cancelled.credit_note.id, changes: { after: { credit_note_number: av(1) } } });

    const everything = JSON.stringify((await expectOk(await api.audit("page_size=100"))).data);
    const { results: raw } = await env.DB.prepare("SELECT changes FROM audit_logs WHERE partner_id = ?").bind(t.partnerId).all<{ changes: string }>();
    const { results: rawEvents } = await env.DB.prepare("SELECT * FROM events WHERE partner_id = ?").bind(t.partnerId).all();
    for (const text of [everything, JSON.stringify(raw), JSON.stringify(rawEvents)]) {
      expect(text).not.toContain(SEED_EMAIL);
      expect(text).not.toContain(SEED_NAME);
      expect(text).not.toContain("15 rue de la Paix");
    }

    const stored = await env.DB.prepare("SELECT * FROM invoices WHERE id = ?").bind(invoice.id).first<Record<string, unknown>>();
    expect(stored!.payer_encrypted).toEqual(expect.any(String));
    expect(String(stored!.payer_encrypted)).not.toContain(SEED_EMAIL);
    expect(JSON.stringify(stored)).not.toContain(SEED_EMAIL);
    expect(JSON.stringify(stored)).not.toContain(SEED_NAME);
  });

  it("writes one audit entry per change of a draft and no event for edits", async () => {
    const t = await createPartner();
    const { org, invoice } = await seedWorld(t);
    const api = scoped(t.token, org.id);
    await expectOk(await api.patch(invoice.id, { payment_terms: "Paiement à 45 jours" }));
    await expectOk(await api.cancel(invoice.id));
    const trail = await expectOk(await api.audit(`resource_type=invoice&resource_id=${invoice.id}`));
    expect(trail.data.map((e: { action: string }) => e.action)).toEqual(["created", "updated", "status_changed"]);
    expect(trail.data[1].changes).toEqual({ before: { payment_terms: "Paiement sous 30 jours" }, after: { payment_terms: "Paiement à 45 jours" } });
    expect(trail.data[2].changes).toEqual({ before: { status: "draft" }, after: { status: "cancelled" } });
    const events = await eventsOf(t.partnerId);
    expect(events.map((e) => [e.type, e.data.previous_status, e.data.current_status])).toEqual([
      ["invoice.created", undefined, undefined],
      ["invoice.status_changed", "draft", "cancelled"],
    ]);
    expect(events[1]!.data.invoice).toMatchObject({ status: "cancelled", invoice_number: null, credit_note: null });
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Idempotency
// ---------------------------------------------------------------------------------------------

describe("Idempotency-Key on invoice writes", () => {
  it("replays a create with the same key and body, creating one invoice; another body with that key → 422", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const key = { "idempotency-key": "create-inv-001" };
    const first = await api.create(seedInvoiceBody(dept.id), key);
    const again = await api.create(seedInvoiceBody(dept.id), key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await rowCounts(t.partnerId)).toMatchObject({ invoices: 1, events: 1 });

    const other = await api.create({ ...seedInvoiceBody(dept.id), payment_terms: "Autre" }, key);
    expectError(other, 422, { code: "idempotency_key_reused" });
    expect((await rowCounts(t.partnerId)).invoices).toBe(1);
  });

  it("replays an issue with the same key without consuming a second number", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const d = await draft(api, seedInvoiceBody(dept.id));
    const send = () => call(`/v1/invoices/${d.id}/issue`, { method: "POST", token: t.token, headers: { "x-entity-id": org.id, "idempotency-key": "issue-1" } });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect((await issued(api, seedInvoiceBody(dept.id))).invoice_number).toBe(fac(2));
  });
});

describe("cancelling an invoice with a payment link", () => {
  it("is refused while a link is active, and allowed once it is revoked (credit note)", async () => {
    const t = await createPartner();
    const { org, dept } = await orgAndDept(t.token);
    const api = scoped(t.token, org.id);
    const inv = await issued(api, body(dept.id));
    const headers = { "x-entity-id": org.id };
    const link = await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: inv.id, payment_methods: ["sepa_credit"] } });
    expect(link.status).toBe(201);
    const before = await rowCounts(t.partnerId);
    const refused = await call(`/v1/invoices/${inv.id}/cancel`, { method: "POST", token: t.token, headers });
    expectError(refused, 409, { code: "invoice_has_active_links" });
    expect(await rowCounts(t.partnerId)).toEqual(before);

    expect((await call(`/v1/payment_links/${link.body.id}`, { method: "DELETE", token: t.token, headers })).status).toBe(200);
    const cancelled = await call(`/v1/invoices/${inv.id}/cancel`, { method: "POST", token: t.token, headers });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.credit_note.credit_note_number).toBe(av(1));
  });
});
