import { env, exports } from "cloudflare:workers";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld } from "../helpers/harness";
import { api, link, type Api } from "../payments/fixtures";

/**
 * GET /v1/exports/payments.csv and /v1/exports/invoices.csv: the list filters of GET /v1/payments
 * and GET /v1/invoices, every row (all pages), read back by papaparse's parser as a spreadsheet
 * would read them: RFC 4180 quoting, UTF-8 BOM, `;` with decimal commas or `,` with decimal points.
 */

const PAYMENT_COLUMNS = ["id", "paid_at", "paid_date", "status", "source", "method", "amount", "refunded", "currency", "invoice_id", "invoice_number", "department_id", "reference", "payment_intent_id", "payment_link_id"];
const INVOICE_COLUMNS = ["id", "number", "type", "status", "department_id", "issue_date", "due_date", "payer_name", "payer_email", "currency", "subtotal", "tax", "total", "deposits", "credited", "amount_paid", "amount_due", "paid_date", "created_at"];

async function download(a: Api, path: string) {
  const res = await exports.default.fetch(new Request(`https://api.test${path}`, { headers: { authorization: `Bearer ${a.token}`, "x-entity-id": a.orgId } }));
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(bytes) };
}

/** The file as a spreadsheet reads it: BOM checked and dropped, then RFC 4180 records keyed by header. */
function readCsv(file: { bytes: Uint8Array; text: string }, delimiter: ";" | ",") {
  expect([...file.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(file.text.endsWith("\r\n")).toBe(true);
  const parsed = Papa.parse<string[]>(file.text.slice(1), { delimiter, newline: "\r\n", skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  const [header, ...records] = parsed.data;
  for (const r of records) expect(r).toHaveLength(header!.length);
  return { header: header!, rows: records.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))) };
}

const payer = (name: string) => ({ ...seedInvoiceBody("").payer, name });

async function world() {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const issue = async (name: string, lineItems = seedInvoiceBody(w.dept.id).line_items) => {
    const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(w.dept.id), payer: payer(name), line_items: lineItems, due_date: "2099-01-01" }), 201);
    return expectOk(await a.issueInvoice(draft.id));
  };
  // A name holding the separator and quotes, and one a spreadsheet would run as a formula.
  const quoted = await issue('Dupont; "Jean" & Fils');
  const formula = await issue("=HYPERLINK(\"https://evil.example\";\"clic\")", [{ description: "Cantine", quantity: 1, unit_price: 123456, vat_rate: 20 }]);
  const full = await link(a, quoted.id);
  await expectOk(await a.simulate(full.payment_intent_id, "succeeded"));
  const part = await expectOk(await a.createLink({ invoice_id: formula.id, amount: 5005, payment_methods: ["card"] }), 201);
  await expectOk(await a.simulate(part.payment_intent_id, "succeeded"));
  // The partial card payment was received on 10 March (Paris), for the date filters.
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE payment_intent_id = ?").bind("2026-03-10T09:00:00.000Z", part.payment_intent_id).run();
  return { t, w, a, quoted, formula, fullIntent: full.payment_intent_id as string, partIntent: part.payment_intent_id as string };
}

async function listIds(a: Api, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1; ; page++) {
    const body = await expectOk(await call(`${path}${path.includes("?") ? "&" : "?"}page_size=100&page=${page}`, { token: a.token, headers: { "x-entity-id": a.orgId } }));
    out.push(...body.data.map((x: { id: string }) => x.id));
    if (page >= body.pagination.total_pages) return out;
  }
}

describe("GET /v1/exports/payments.csv", () => {
  it("has one row per payment GET /v1/payments lists, `;` and decimal commas by default", async () => {
    const g = await world();
    const file = await download(g.a, "/v1/exports/payments.csv");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(file.headers.get("content-disposition")).toBe('attachment; filename="payments.csv"');
    const { header, rows } = readCsv(file, ";");
    expect(header).toEqual(PAYMENT_COLUMNS);
    expect(rows.map((r) => r.id)).toEqual(await listIds(g.a, "/v1/payments"));

    const full = rows.find((r) => r.payment_intent_id === g.fullIntent)!;
    expect(full).toMatchObject({ status: "completed", source: "online", method: "sepa_credit", amount: "422,00", refunded: "0,00", currency: "EUR", invoice_id: g.quoted.id, invoice_number: g.quoted.invoice_number, department_id: g.w.dept.id, reference: "" });
    const part = rows.find((r) => r.payment_intent_id === g.partIntent)!;
    expect(part).toMatchObject({ method: "card", amount: "50,05", paid_at: "2026-03-10T09:00:00.000Z", paid_date: "2026-03-10", invoice_number: g.formula.invoice_number });
  });

  it("uses decimal points with `separator=,`, and the list's filters", async () => {
    const g = await world();
    const { header, rows } = readCsv(await download(g.a, "/v1/exports/payments.csv?separator=,"), ",");
    expect(header).toEqual(PAYMENT_COLUMNS);
    expect(rows.map((r) => r.amount).sort()).toEqual(["422.00", "50.05"]);

    for (const query of ["method=card", "method=sepa_credit", "from_date=2026-03-10&to_date=2026-03-10", "to_date=2026-03-09", `invoice_id=${g.quoted.id}`, "status=refunded", `department_id=${g.w.dept.id}`, "min_amount=5005&max_amount=5005", "min_amount=5006"]) {
      const filtered = readCsv(await download(g.a, `/v1/exports/payments.csv?${query}`), ";").rows;
      expect(filtered.map((r) => r.id), query).toEqual(await listIds(g.a, `/v1/payments?${query}`));
    }
    expect(readCsv(await download(g.a, "/v1/exports/payments.csv?method=card"), ";").rows.map((r) => r.payment_intent_id)).toEqual([g.partIntent]);
  });

  it("streams every page of a long ledger, newest first as the list orders it", async () => {
    const g = await world();
    const source = await env.DB.prepare("SELECT * FROM payments WHERE payment_intent_id = ?").bind(g.fullIntent).first<Record<string, unknown>>();
    // 1 200 more payments (copies of a real one, recorded offline: no intent), half of them on
    // one instant: more than two pages of the export, with ties on the date.
    const stmt = env.DB.prepare(
      "INSERT INTO payments (id, partner_id, livemode, organization_id, invoice_id, payment_intent_id, payment_link_id, amount, refunded_amount, currency, method, status, paid_at, reference, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, 0, 'EUR', 'cheque', 'completed', ?, ?, ?, ?)",
    );
    const rowsToAdd = Array.from({ length: 1200 }, (_, i) => {
      const at = i % 2 === 0 ? "2026-06-15T10:00:00.000Z" : new Date(Date.parse("2026-01-01T00:00:00Z") + i * 3_600_000).toISOString();
      return stmt.bind(`pay-00000000-0000-7000-8000-${String(i).padStart(12, "0")}`, source!.partner_id, source!.livemode, source!.organization_id, source!.invoice_id, 100 + i, at, `CHQ ${i}`, at, at);
    });
    for (let i = 0; i < rowsToAdd.length; i += 400) await env.DB.batch(rowsToAdd.slice(i, i + 400));

    const { rows } = readCsv(await download(g.a, "/v1/exports/payments.csv"), ";");
    expect(rows).toHaveLength(1202);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1202);
    expect(rows.map((r) => r.id)).toEqual(await listIds(g.a, "/v1/payments"));
    // Sent as it is read: the header, then one chunk per page of 500 (not one buffered body).
    const res = await exports.default.fetch(new Request("https://api.test/v1/exports/payments.csv", { headers: { authorization: `Bearer ${g.a.token}`, "x-entity-id": g.a.orgId } }));
    expect(res.headers.get("content-length")).toBeNull();
    const reader = res.body!.getReader();
    let chunks = 0;
    while (!(await reader.read()).done) chunks++;
    expect(chunks).toBeGreaterThanOrEqual(4);
    const cheques = rows.filter((r) => r.method === "cheque");
    expect(cheques.every((r) => r.source === "offline" && /^CHQ \d+$/.test(r.reference!))).toBe(true);
  });
});

describe("GET /v1/exports/invoices.csv", () => {
  it("has one row per invoice GET /v1/invoices lists, payer names read back intact and never as formulas", async () => {
    const g = await world();
    const file = await download(g.a, "/v1/exports/invoices.csv");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe('attachment; filename="invoices.csv"');
    // The separator inside a name is quoted, quotes doubled (RFC 4180).
    expect(file.text).toContain(';"Dupont; ""Jean"" & Fils";');
    const { header, rows } = readCsv(file, ";");
    expect(header).toEqual(INVOICE_COLUMNS);
    expect(rows.map((r) => r.id)).toEqual(await listIds(g.a, "/v1/invoices"));

    const quoted = rows.find((r) => r.id === g.quoted.id)!;
    expect(quoted).toMatchObject({ number: g.quoted.invoice_number, status: "paid", type: "standard", payer_name: 'Dupont; "Jean" & Fils', payer_email: "jean.dupont@example.com", subtotal: "400,00", tax: "22,00", total: "422,00", amount_paid: "422,00", amount_due: "0,00", department_id: g.w.dept.id, due_date: "2099-01-01" });
    const formula = rows.find((r) => r.id === g.formula.id)!;
    expect(formula.payer_name).toBe("'=HYPERLINK(\"https://evil.example\";\"clic\")");
    expect(formula).toMatchObject({ subtotal: "1234,56", tax: "246,91", total: "1481,47", amount_paid: "50,05", amount_due: "1431,42", status: "partially_paid" });
    // The draft of seedWorld: no number, no issue date.
    expect(rows.find((r) => r.id === g.w.invoice.id)).toMatchObject({ number: "", issue_date: "", status: "draft" });

    const comma = readCsv(await download(g.a, "/v1/exports/invoices.csv?separator=,"), ",").rows;
    expect(comma.find((r) => r.id === g.formula.id)!.total).toBe("1481.47");

    for (const query of ["status=paid", "status=draft", `number=${g.formula.invoice_number}`, `department_id=${g.w.dept.id}`, "payer_email=JEAN.DUPONT@example.com", "due_before=2098-12-31"]) {
      const filtered = readCsv(await download(g.a, `/v1/exports/invoices.csv?${query}`), ";").rows;
      expect(filtered.map((r) => r.id), query).toEqual(await listIds(g.a, `/v1/invoices?${query}`));
    }
  });
});

describe("GET /v1/exports/invoices.csv, a long list", () => {
  it("streams every page, in the list's order, each payer read back", async () => {
    const t = await createPartner({ plan: "enterprise" });
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    // 210 drafts (the export reads 200 a page), made through the API: each payer is sealed to its invoice.
    for (let i = 0; i < 210; i += 15) {
      await Promise.all(
        Array.from({ length: 15 }, (_, j) => a.createInvoice({ ...seedInvoiceBody(w.dept.id), payer: payer(`Payeur ${i + j}`), due_date: "2099-01-01" }).then((r) => expectOk(r, 201))),
      );
    }
    const { rows } = readCsv(await download(a, "/v1/exports/invoices.csv"), ";");
    expect(rows).toHaveLength(211);
    expect(rows.map((r) => r.id)).toEqual(await listIds(a, "/v1/invoices"));
    expect(new Set(rows.map((r) => r.payer_name))).toEqual(new Set(["Jean Dupont", ...Array.from({ length: 210 }, (_, i) => `Payeur ${i}`)]));
  });
});

describe("CSV exports: bad input and access", () => {
  it("answers 400 naming the parameter, 403 without reports:read, 404 for another partner's organization", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const headers = { "x-entity-id": w.org.id };
    for (const path of ["/v1/exports/payments.csv", "/v1/exports/invoices.csv"]) {
      for (const [query, param] of [["separator=%7C", "separator"], ["status=bogus", "status"], ["page=2", "page"]] as const) {
        const res = await call(`${path}?${query}`, { token: t.token, headers });
        expect([res.status, res.body.error.param], `${path}?${query}`).toEqual([400, param]);
      }
      const noEntity = await call(path, { token: t.token });
      expect([noEntity.status, noEntity.body.error.param]).toEqual([400, "X-Entity-Id"]);
      const invoicesOnly = await accessToken(await issueCredential(t.partnerId, "test", ["invoices:read", "payments:read"]));
      expect((await call(path, { token: invoicesOnly, headers })).status).toBe(403);
      const other = await createPartner();
      const foreign = await call(path, { token: other.token, headers });
      expect([foreign.status, foreign.body.error.param]).toEqual([404, "X-Entity-Id"]);
    }
    const bad = await call("/v1/exports/payments.csv?from_date=yesterday", { token: t.token, headers });
    expect([bad.status, bad.body.error.param]).toEqual([400, "from_date"]);
  });

  it("documents every column of both files in the OpenAPI document", async () => {
    const doc = await expectOk(await call("/v1/openapi.json"));
    for (const [path, columns] of [["/v1/exports/payments.csv", PAYMENT_COLUMNS], ["/v1/exports/invoices.csv", INVOICE_COLUMNS]] as const) {
      const op = doc.paths[path].get;
      expect(op.security ?? doc.security).toBeDefined();
      expect(Object.keys(op.responses["200"].content)).toEqual(["text/csv"]);
      for (const c of columns) expect(op.description, `${path} ${c}`).toContain(`\`${c}\`:`);
      expect(op.parameters.map((p: { name: string }) => p.name)).toContain("separator");
    }
    expect(doc.paths["/v1/exports/fec"].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["year", "separator"]));
  });
});
