import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UNIT_CODES } from "../../src/domain/units";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, type CallResult, type Tenant } from "../helpers/harness";

/**
 * Issue 12, "What the document says": the invoice fields a French invoice needs besides amounts —
 * the type (standard or deposit), the date of supply or service period, the category of operation,
 * each line's unit (UN/ECE Rec. 20) — and the organization's option for VAT on debits. Every test
 * makes its own partner.
 */

function invoicesOf(token: string, orgId: string) {
  const headers = { "x-entity-id": orgId };
  return {
    create: (body: unknown) => call("/v1/invoices", { token, headers, body }),
    get: (id: string) => call(`/v1/invoices/${id}`, { token, headers }),
    patch: (id: string, body: unknown) => call(`/v1/invoices/${id}`, { method: "PATCH", token, headers, body }),
    issue: (id: string) => call(`/v1/invoices/${id}/issue`, { method: "POST", token, headers }),
    audit: (query: string) => call(`/v1/audit_logs?${query}`, { token, headers }),
  };
}

async function world() {
  const t = await createPartner();
  const w = await seedWorld(t);
  return { t, ...w, api: invoicesOf(t.token, w.org.id) };
}

/** Rows a refused request must not have added or changed. */
async function written(partnerId: string) {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM invoices WHERE partner_id = ?1) AS invoices,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs,
            (SELECT count(*) FROM events WHERE partner_id = ?1) AS events,
            (SELECT group_concat(version) FROM invoices WHERE partner_id = ?1) AS versions`,
  )
    .bind(partnerId)
    .first();
}

function expectError(res: CallResult, status: number, code: string, param: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ code, param });
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

const seedLine = seedInvoiceBody("").line_items[0]!;

describe("invoice fields of issue 12: type, date of supply, category of operation, line units", () => {
  it("defaults: a standard invoice of services, supplied on its issue date, lines counted in C62, deducting nothing", async () => {
    const { api, dept } = await world();
    const created = await expectOk(await api.create(seedInvoiceBody(dept.id)), 201);
    const expected = {
      type: "standard",
      service_date: null,
      service_period: null,
      operation_category: "services",
      deducted_deposits: [],
      deposits_amount: 0,
      quote_id: null,
      amount_due: 42200,
    };
    expect(created).toMatchObject(expected);
    expect(created.line_items).toEqual([{ description: "Consommation eau T1 2024", quantity: 125, unit: "C62", unit_price: 320, vat_rate: 5.5, net_amount: 40000 }]);
    const read = await expectOk(await api.get(created.id));
    expect(read).toMatchObject(expected);
    expect(read.line_items[0].unit).toBe("C62");
    // The default unit is stored on the line, not only shown.
    const stored = await env.DB.prepare("SELECT line_items FROM invoices WHERE id = ?").bind(created.id).first<{ line_items: string }>();
    expect(JSON.parse(stored!.line_items)[0].unit).toBe("C62");
  });

  it("each field round-trips through create, get, issue and edit", async () => {
    const { api, dept } = await world();
    const body = {
      ...seedInvoiceBody(dept.id),
      due_date: "2099-01-01",
      type: "deposit",
      service_date: "2024-03-15",
      operation_category: "goods",
      line_items: [
        { ...seedLine, unit: "MTQ" },
        { description: "Intervention technicien", quantity: 1.5, unit: "HUR", unit_price: 6000, vat_rate: 20 },
        { description: "Abonnement", quantity: 3, unit: "MON", unit_price: 1000, vat_rate: 5.5 },
      ],
    };
    const created = await expectOk(await api.create(body), 201);
    expect(created).toMatchObject({ type: "deposit", service_date: "2024-03-15", service_period: null, operation_category: "goods" });
    expect(created.line_items.map((l: { unit: string }) => l.unit)).toEqual(["MTQ", "HUR", "MON"]);
    expect(created.line_items.map((l: { net_amount: number }) => l.net_amount)).toEqual([40000, 9000, 3000]);
    expect(await expectOk(await api.get(created.id))).toMatchObject({ type: "deposit", service_date: "2024-03-15", operation_category: "goods" });

    // Edit: a period replaces the day (a date of supply is one or the other), a unit changes.
    const edited = await expectOk(
      await api.patch(created.id, {
        service_period: { start: "2024-01-01", end: "2024-03-31" },
        operation_category: "mixed",
        line_items: [{ ...seedLine, unit: "KWH" }],
      }),
    );
    expect(edited).toMatchObject({ type: "deposit", service_date: null, service_period: { start: "2024-01-01", end: "2024-03-31" }, operation_category: "mixed" });
    expect(edited.line_items).toEqual([{ description: "Consommation eau T1 2024", quantity: 125, unit: "KWH", unit_price: 320, vat_rate: 5.5, net_amount: 40000 }]);
    const audit = await expectOk(await api.audit(`resource_type=invoice&resource_id=${created.id}&action=updated`));
    expect(audit.data[0].changes.before).toMatchObject({ service_date: "2024-03-15", service_period: null, operation_category: "goods" });
    expect(audit.data[0].changes.after).toMatchObject({ service_date: null, service_period: { start: "2024-01-01", end: "2024-03-31" }, operation_category: "mixed" });

    // And back to a day; then null: the issue date applies.
    expect(await expectOk(await api.patch(created.id, { service_date: "2024-02-29" }))).toMatchObject({ service_date: "2024-02-29", service_period: null });
    expect(await expectOk(await api.patch(created.id, { service_date: null }))).toMatchObject({ service_date: null, service_period: null });
    await expectOk(await api.patch(created.id, { service_period: { start: "2024-03-01", end: "2024-03-01" } }));

    const issued = await expectOk(await api.issue(created.id));
    expect(issued).toMatchObject({ status: "issued", type: "deposit", service_period: { start: "2024-03-01", end: "2024-03-01" }, operation_category: "mixed" });
    expect(issued.line_items[0].unit).toBe("KWH");
    expect(await expectOk(await api.get(created.id))).toMatchObject({ type: "deposit", service_period: { start: "2024-03-01", end: "2024-03-01" } });
  });

  it("accepts every unit code the official EN 16931 rules accept, and only those", () => {
    // The list comes from the schematron's code list for BT-130 (scripts/extract-unit-codes.mjs).
    expect(UNIT_CODES.size).toBeGreaterThan(2000);
    for (const code of ["C62", "H87", "HUR", "DAY", "MON", "ANN", "KWH", "MTQ", "LTR", "KGM", "MTR", "MTK", "XPP", "LS"]) expect(UNIT_CODES.has(code), code).toBe(true);
    for (const code of ["", "c62", "PCE", "UNIT", "M3", "KG", "H"]) expect(UNIT_CODES.has(code), code).toBe(false);
  });

  it.each<{ case: string; body: (deptId: string) => Record<string, unknown>; param: string }>([
    { case: "a unit that is not a Rec. 20 code", body: (d) => ({ ...seedInvoiceBody(d), line_items: [{ ...seedLine, unit: "M3" }] }), param: "line_items.0.unit" },
    { case: "a unit in lower case", body: (d) => ({ ...seedInvoiceBody(d), line_items: [{ ...seedLine, unit: "c62" }] }), param: "line_items.0.unit" },
    { case: "an empty unit", body: (d) => ({ ...seedInvoiceBody(d), line_items: [{ ...seedLine, unit: "" }] }), param: "line_items.0.unit" },
    { case: "a bad unit on the second line", body: (d) => ({ ...seedInvoiceBody(d), line_items: [{ ...seedLine, unit: "MTQ" }, { ...seedLine, unit: "pièce" }] }), param: "line_items.1.unit" },
    { case: "a unit that is a number", body: (d) => ({ ...seedInvoiceBody(d), line_items: [{ ...seedLine, unit: 62 }] }), param: "line_items.0.unit" },
    {
      case: "service_date and service_period together",
      body: (d) => ({ ...seedInvoiceBody(d), service_date: "2024-03-31", service_period: { start: "2024-01-01", end: "2024-03-31" } }),
      param: "service_period",
    },
    { case: "a period that ends before it starts", body: (d) => ({ ...seedInvoiceBody(d), service_period: { start: "2024-03-31", end: "2024-01-01" } }), param: "service_period.end" },
    { case: "a period without its end", body: (d) => ({ ...seedInvoiceBody(d), service_period: { start: "2024-01-01" } }), param: "service_period.end" },
    { case: "a service_date that is no date", body: (d) => ({ ...seedInvoiceBody(d), service_date: "2024-02-30" }), param: "service_date" },
    { case: "an unknown operation_category", body: (d) => ({ ...seedInvoiceBody(d), operation_category: "food" }), param: "operation_category" },
    { case: "an unknown type", body: (d) => ({ ...seedInvoiceBody(d), type: "quote" }), param: "type" },
  ])("POST /v1/invoices with $case → 400 naming $param, nothing written", async ({ body, param }) => {
    const { t, api, dept } = await world();
    const before = await written(t.partnerId);
    const res = await api.create(body(dept.id));
    expectError(res, 400, "invalid_parameter", param);
    // A string that is no code is told what a code looks like.
    if (param.endsWith(".unit") && typeof (body(dept.id).line_items as { unit?: unknown }[]).at(-1)?.unit === "string") expect(res.body.error.message).toContain("C62");
    expect(await written(t.partnerId)).toEqual(before);
  });

  it.each<{ case: string; patch: Record<string, unknown>; param: string }>([
    { case: "a bad unit", patch: { line_items: [{ ...seedLine, unit: "LITRE" }] }, param: "line_items.0.unit" },
    { case: "service_date and service_period together", patch: { service_date: "2024-03-31", service_period: { start: "2024-01-01", end: "2024-03-31" } }, param: "service_period" },
    { case: "a reversed period", patch: { service_period: { start: "2024-02-02", end: "2024-02-01" } }, param: "service_period.end" },
    { case: "a null operation_category", patch: { operation_category: null }, param: "operation_category" },
    { case: "a type (set at creation only)", patch: { type: "deposit" }, param: "type" },
  ])("PATCH /v1/invoices/{id} with $case → 400 naming $param, nothing changed", async ({ patch, param }) => {
    const { t, api, invoice } = await world();
    const before = await written(t.partnerId);
    expectError(await api.patch(invoice.id, patch), 400, "invalid_parameter", param);
    expect(await written(t.partnerId)).toEqual(before);
    expect(await expectOk(await api.get(invoice.id))).toEqual(invoice);
  });
});

describe("organization vat_on_debits", () => {
  async function org(t: Tenant, body: Record<string, unknown>) {
    return call("/v1/organizations", { token: t.token, body });
  }

  it("defaults to false, round-trips through create, get, list and PATCH, and is audited", async () => {
    const t = await createPartner();
    const plain = await expectOk(await org(t, SEED.organization), 201);
    expect(plain.vat_on_debits).toBe(false);
    const opted = await expectOk(await org(t, { ...SEED.organization, vat_on_debits: true }), 201);
    expect(opted.vat_on_debits).toBe(true);
    expect((await expectOk(await call(`/v1/organizations/${opted.id}`, { token: t.token }))).vat_on_debits).toBe(true);

    const patched = await expectOk(await call(`/v1/organizations/${plain.id}`, { method: "PATCH", token: t.token, body: { vat_on_debits: true } }));
    expect(patched).toEqual({ ...plain, vat_on_debits: true, updated_at: expect.any(String) });
    const list = await expectOk(await call("/v1/organizations", { token: t.token }));
    expect(Object.fromEntries(list.data.map((o: { id: string; vat_on_debits: boolean }) => [o.id, o.vat_on_debits]))).toEqual({ [plain.id]: true, [opted.id]: true });

    const audit = await expectOk(
      await call(`/v1/audit_logs?resource_type=organization&resource_id=${plain.id}&action=updated`, { token: t.token, headers: { "x-entity-id": plain.id } }),
    );
    expect(audit.data[0].changes).toEqual({ before: { vat_on_debits: false }, after: { vat_on_debits: true } });

    // Sent again unchanged: no write, no audit entry.
    await expectOk(await call(`/v1/organizations/${plain.id}`, { method: "PATCH", token: t.token, body: { vat_on_debits: true } }));
    const again = await expectOk(
      await call(`/v1/audit_logs?resource_type=organization&resource_id=${plain.id}&action=updated`, { token: t.token, headers: { "x-entity-id": plain.id } }),
    );
    expect(again.data).toHaveLength(1);
    expect((await expectOk(await call(`/v1/organizations/${plain.id}`, { method: "PATCH", token: t.token, body: { vat_on_debits: false } }))).vat_on_debits).toBe(false);
  });

  it("refuses a value that is not a boolean, 400 naming it, on create and PATCH", async () => {
    const t = await createPartner();
    expectError(await org(t, { ...SEED.organization, vat_on_debits: "oui" }), 400, "invalid_parameter", "vat_on_debits");
    const created = await expectOk(await org(t, SEED.organization), 201);
    expectError(await call(`/v1/organizations/${created.id}`, { method: "PATCH", token: t.token, body: { vat_on_debits: null } }), 400, "invalid_parameter", "vat_on_debits");
    const list = await expectOk(await call("/v1/organizations", { token: t.token }));
    expect(list.data.map((o: { id: string; vat_on_debits: boolean }) => [o.id, o.vat_on_debits])).toEqual([[created.id, false]]);
  });
});
