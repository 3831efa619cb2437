import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld, type CallResult } from "../helpers/harness";
import { api, link, type Api } from "../payments/fixtures";

/**
 * GET /v1/exports/fec: the FEC (LPF art. A47 A-1) of a year generated through the API — invoices
 * with several VAT rates and mixed lines, a cancelled invoice (its credit note), full and partial
 * payments, a refund — read back as an accountant's import would: 18 columns, every entry balanced.
 */

const COLUMNS =
  "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise";

const LATIN9: Record<number, string> = { 0xa4: "€", 0xa6: "Š", 0xa8: "š", 0xb4: "Ž", 0xb8: "ž", 0xbc: "Œ", 0xbd: "œ", 0xbe: "Ÿ" };

/** ISO 8859-15 bytes as text (workerd's TextDecoder knows UTF-8 only). */
function decodeLatin9(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => LATIN9[b] ?? String.fromCharCode(b)).join("");
}

type FecRow = Record<(typeof FEC_COLUMN_NAMES)[number], string>;
const FEC_COLUMN_NAMES = COLUMNS.split("|") as readonly string[] as readonly ("JournalCode" | "JournalLib" | "EcritureNum" | "EcritureDate" | "CompteNum" | "CompteLib" | "CompAuxNum" | "CompAuxLib" | "PieceRef" | "PieceDate" | "EcritureLib" | "Debit" | "Credit" | "EcritureLet" | "DateLet" | "ValidDate" | "Montantdevise" | "Idevise")[];

/** The FEC as bytes, through the worker (the harness' `call` reads bodies as UTF-8). */
async function fec(a: Api, query: string) {
  const res = await exports.default.fetch(new Request(`https://api.test/v1/exports/fec?${query}`, { headers: { authorization: `Bearer ${a.token}`, "x-entity-id": a.orgId } }));
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: decodeLatin9(bytes) };
}

function parse(text: string, separator = "|") {
  expect(text.endsWith("\r\n")).toBe(true);
  const lines = text.slice(0, -2).split("\r\n");
  const header = lines[0]!.split(separator);
  const rows = lines.slice(1).map((line) => {
    const fields = line.split(separator);
    expect(fields, line).toHaveLength(18);
    return Object.fromEntries(header.map((h, i) => [h, fields[i]!])) as FecRow;
  });
  return { header: lines[0]!, rows };
}

/** "1234,56" → 123456 cents; anything else fails. */
function cents(amount: string): number {
  expect(amount).toMatch(/^\d+,\d{2}$/);
  const [units, decimals] = amount.split(",");
  return Number(units) * 100 + Number(decimals);
}

function entries(rows: FecRow[]) {
  const byNum = new Map<string, FecRow[]>();
  for (const r of rows) byNum.set(r.EcritureNum!, [...(byNum.get(r.EcritureNum!) ?? []), r]);
  return byNum;
}

const sumOf = (rows: FecRow[], side: "Debit" | "Credit") => rows.reduce((s, r) => s + cents(r[side]!), 0);

const MIXED_LINES = [
  { description: "Repas cantine", quantity: 12, unit_price: 385, vat_rate: 5.5 },
  { description: "Transport scolaire", quantity: 3, unit_price: 1275, vat_rate: 10 },
  { description: "Location de salle", quantity: 1, unit_price: 15033, vat_rate: 20 },
  { description: "Ménage après location", quantity: 2, unit_price: 2499, vat_rate: 20 },
];

async function issue(a: Api, deptId: string, lineItems: unknown[]) {
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(deptId), line_items: lineItems, due_date: "2099-01-01" }), 201);
  return expectOk(await a.issueInvoice(draft.id));
}

const thisYear = () => Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric" }).format(new Date()));

/** A year of an organization's activity, through the API; dates moved in D1 where the test needs a boundary. */
async function generatedYear() {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const year = thisYear();
  const headers = { "x-entity-id": w.org.id };

  // Paid in full, then partly repaid.
  const mixed = await issue(a, w.dept.id, MIXED_LINES);
  const mixedLink = await link(a, mixed.id);
  await expectOk(await a.simulate(mixedLink.payment_intent_id, "succeeded"));
  const refund = await expectOk(await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: mixedLink.payment_intent_id, amount: 1500 } }), 201);
  await expectOk(await call(`/v1/sandbox/refunds/${refund.id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));

  // Paid in part, on New Year's night: 23:30 UTC on 31 December is 1 January in Paris.
  const partial = await issue(a, w.dept.id, [{ description: "Abonnement", quantity: 1, unit_price: 25000, vat_rate: 20 }]);
  const partialLink = await expectOk(await a.createLink({ invoice_id: partial.id, amount: 5000, payment_methods: ["card"] }), 201);
  await expectOk(await a.simulate(partialLink.payment_intent_id, "succeeded"));
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE payment_intent_id = ?").bind(`${year - 1}-12-31T23:30:00.000Z`, partialLink.payment_intent_id).run();

  // Issued, then cancelled: its credit note reverses it.
  const cancelled = await issue(a, w.dept.id, seedInvoiceBody(w.dept.id).line_items);
  const cancel = await expectOk(await call(`/v1/invoices/${cancelled.id}/cancel`, { method: "POST", token: t.token, headers, body: { reason: "Erreur de facturation" } }));

  // Issued at 22:30 UTC on 31 December of the year before: 23:30 in Paris, last year's books.
  const lastYear = await issue(a, w.dept.id, [{ description: "Ancien exercice", quantity: 1, unit_price: 1000, vat_rate: 20 }]);
  await env.DB.prepare("UPDATE invoices SET issued_at = ? WHERE id = ?").bind(`${year - 1}-12-31T22:30:00.000Z`, lastYear.id).run();

  // A draft has no number and is no accounting document.
  await expectOk(await a.createInvoice({ ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" }), 201);

  return { t, w, a, year, mixed, partial, cancelled, creditNote: cancel.credit_note, lastYear, refund, mixedLink };
}

describe("GET /v1/exports/fec", () => {
  it("writes the year's sales and bank journals in the 18 official columns, every entry balanced", async () => {
    const g = await generatedYear();
    const res = await fec(g.a, `year=${g.year}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=iso-8859-15");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${g.w.org.siren}FEC${g.year}1231.txt"`);
    const { header, rows } = parse(res.text);
    expect(header).toBe(COLUMNS);

    // Every entry balances, and its lines share a journal, a date and a document.
    const byNum = entries(rows);
    for (const [num, lines] of byNum) {
      expect(sumOf(lines, "Debit"), num).toBe(sumOf(lines, "Credit"));
      expect(new Set(lines.map((l) => `${l.JournalCode} ${l.EcritureDate} ${l.PieceRef} ${l.PieceDate} ${l.ValidDate}`)).size, num).toBe(1);
      for (const l of lines) expect(cents(l.Debit!) === 0 || cents(l.Credit!) === 0, `${num}: one side per line`).toBe(true);
    }
    // Numbered per journal without a gap, in date order.
    const ve = [...byNum.keys()].filter((n) => n.startsWith("VE"));
    const bq = [...byNum.keys()].filter((n) => n.startsWith("BQ"));
    expect(ve).toEqual(["VE000001", "VE000002", "VE000003", "VE000004"]);
    expect(bq).toEqual(["BQ000001", "BQ000002", "BQ000003"]);
    const dates = (nums: string[]) => nums.map((n) => byNum.get(n)![0]!.EcritureDate);
    expect(dates(ve)).toEqual([...dates(ve)].sort());
    expect(dates(bq)).toEqual([...dates(bq)].sort());

    // The mixed invoice: customer debited with the total, revenue and VAT credited per rate.
    const sale = rows.filter((r) => r.PieceRef === g.mixed.invoice_number);
    expect(sale.map((r) => r.JournalCode)).toEqual(Array(sale.length).fill("VE"));
    expect(sale.find((r) => r.CompteNum === "411000")!.Debit).toBe(fmt(g.mixed.total_amount));
    const breakdown = g.mixed.tax_breakdown as { vat_rate: number; taxable_amount: number; tax_amount: number }[];
    expect(breakdown.map((b) => b.vat_rate).sort()).toEqual([10, 20, 5.5].sort());
    for (const b of breakdown) {
      const label = `${String(b.vat_rate).replace(".", ",")} %`;
      expect(sale.find((r) => r.CompteNum === "706000" && r.CompteLib.endsWith(label))!.Credit).toBe(fmt(b.taxable_amount));
      expect(sale.find((r) => r.CompteNum === "445710" && r.CompteLib === `TVA collectée ${label}`)!.Credit).toBe(fmt(b.tax_amount));
    }
    expect(sale[0]!.EcritureLib).toBe(`Facture ${g.mixed.invoice_number}`);

    // The credit note reverses its invoice.
    const note = rows.filter((r) => r.PieceRef === g.creditNote.credit_note_number);
    expect(note.find((r) => r.CompteNum === "411000")!.Credit).toBe(fmt(g.cancelled.total_amount));
    expect(sumOf(note.filter((r) => r.CompteNum === "706000"), "Debit")).toBe(g.cancelled.subtotal_amount);
    expect(sumOf(note.filter((r) => r.CompteNum === "445710"), "Debit")).toBe(g.cancelled.tax_amount);

    // Revenue and VAT of the year: the invoices issued in it, less the credit note.
    const issuedThisYear = [g.mixed, g.partial, g.cancelled];
    const revenue = rows.filter((r) => r.CompteNum === "706000");
    expect(sumOf(revenue, "Credit") - sumOf(revenue, "Debit")).toBe(issuedThisYear.reduce((s, i) => s + i.subtotal_amount, 0) - g.cancelled.subtotal_amount);
    const vat = rows.filter((r) => r.CompteNum === "445710");
    expect(sumOf(vat, "Credit") - sumOf(vat, "Debit")).toBe(issuedThisYear.reduce((s, i) => s + i.tax_amount, 0) - g.cancelled.tax_amount);
    // Last year's invoice (23:30 in Paris on 31 December) is not in this year's file.
    expect(rows.some((r) => r.PieceRef === g.lastYear.invoice_number)).toBe(false);

    // The bank: payments debited, the refund credited; the payment of 23:30 UTC on 31 December is dated 1 January.
    const bank = rows.filter((r) => r.CompteNum === "512000");
    expect(bank.every((r) => r.JournalCode === "BQ" && r.JournalLib === "Banque")).toBe(true);
    expect(sumOf(bank, "Debit")).toBe(g.mixed.total_amount + 5000);
    expect(sumOf(bank, "Credit")).toBe(1500);
    const newYear = rows.filter((r) => r.JournalCode === "BQ" && r.EcritureLib.includes(g.partial.invoice_number));
    expect(newYear.map((r) => r.EcritureDate)).toEqual([`${g.year}0101`, `${g.year}0101`]);
    expect(newYear[0]!.EcritureLib).toBe(`Règlement ${g.partial.invoice_number} (carte)`);
    const refundLines = rows.filter((r) => r.PieceRef === g.refund.id);
    expect(refundLines.map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "15,00", "0,00"],
      ["512000", "0,00", "15,00"],
    ]);
    // The customer account nets to what is still owed on this year's documents, payments and refund.
    const customer = rows.filter((r) => r.CompteNum === "411000");
    expect(sumOf(customer, "Debit") - sumOf(customer, "Credit")).toBe(g.partial.total_amount - 5000 + 1500);

    // Last year's file has last year's invoice only.
    const before = parse((await fec(g.a, `year=${g.year - 1}`)).text).rows;
    expect(new Set(before.map((r) => r.PieceRef))).toEqual(new Set([g.lastYear.invoice_number]));
  });

  it("reads every page of a long year: entries past the first page are all there and balanced", async () => {
    const g = await generatedYear();
    // 450 more payments received on the same instant (copies of a real one, as offline payments
    // have no intent): more than two pages of the bank journal, with ties on the date.
    const source = await env.DB.prepare("SELECT * FROM payments WHERE payment_intent_id = ?").bind(g.mixedLink.payment_intent_id).first<Record<string, unknown>>();
    const stmt = env.DB.prepare(
      "INSERT INTO payments (id, partner_id, livemode, organization_id, invoice_id, payment_intent_id, payment_link_id, amount, refunded_amount, currency, method, status, paid_at, reference, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, 0, 'EUR', 'cheque', 'completed', ?, ?, ?, ?)",
    );
    const at = `${g.year}-06-15T10:00:00.000Z`;
    await env.DB.batch(
      Array.from({ length: 450 }, (_, i) =>
        stmt.bind(`pay-00000000-0000-7000-8000-${String(i).padStart(12, "0")}`, source!.partner_id, source!.livemode, source!.organization_id, source!.invoice_id, 100 + i, at, `n° ${1000 + i}`, at, at),
      ),
    );
    const { rows } = parse((await fec(g.a, `year=${g.year}`)).text);
    const byNum = entries(rows);
    const bq = [...byNum.keys()].filter((n) => n.startsWith("BQ"));
    expect(bq).toHaveLength(453);
    expect(new Set(rows.filter((r) => r.JournalCode === "BQ").map((r) => r.PieceRef)).size).toBe(453);
    for (const [num, lines] of byNum) expect(sumOf(lines, "Debit"), num).toBe(sumOf(lines, "Credit"));
    const bank = rows.filter((r) => r.CompteNum === "512000");
    expect(sumOf(bank, "Debit")).toBe(g.mixed.total_amount + 5000 + 450 * 100 + (449 * 450) / 2);
    expect(rows.find((r) => r.PieceRef === "pay-00000000-0000-7000-8000-000000000007")!.EcritureLib).toBe(`Règlement ${g.mixed.invoice_number} (chèque n° 1007)`);
  });

  it("books a deposit invoice to customers' advances (4191) and moves it out when the final invoice deducts it", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    const year = thisYear();
    // A deposit of 100 € excluding VAT at 5.5 %, paid; then the final invoice of 400 € excluding VAT deducts it.
    const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(w.dept.id), type: "deposit", due_date: "2099-01-01", line_items: [{ description: "Acompte 25 %", quantity: 1, unit_price: 10000, vat_rate: 5.5 }] }), 201);
    const deposit = await expectOk(await a.issueInvoice(draft.id));
    const l = await link(a, deposit.id);
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    const finalDraft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01", deducted_deposits: [deposit.id] }), 201);
    const final = await expectOk(await a.issueInvoice(finalDraft.id));
    expect([deposit.total_amount, final.total_amount, final.amount_due]).toEqual([10550, 42200, 31650]);

    const { rows } = parse((await fec(a, `year=${year}`)).text);
    for (const [num, lines] of entries(rows)) expect(sumOf(lines, "Debit"), num).toBe(sumOf(lines, "Credit"));
    const net = (account: string) => {
      const lines = rows.filter((r) => r.CompteNum === account);
      return sumOf(lines, "Credit") - sumOf(lines, "Debit");
    };
    const depositEntry = rows.filter((r) => r.PieceRef === deposit.invoice_number);
    expect(depositEntry[0]!.EcritureLib).toBe(`Facture d'acompte ${deposit.invoice_number}`);
    expect(depositEntry.map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "105,50", "0,00"],
      ["419100", "0,00", "100,00"],
      ["445710", "0,00", "5,50"],
    ]);
    const finalEntry = rows.filter((r) => r.PieceRef === final.invoice_number);
    expect(finalEntry.map((r) => [r.CompteNum, r.Debit, r.Credit])).toEqual([
      ["411000", "422,00", "0,00"],
      ["706000", "0,00", "400,00"],
      ["445710", "0,00", "22,00"],
      ["419100", "100,00", "0,00"],
      ["445710", "5,50", "0,00"],
      ["411000", "0,00", "105,50"],
    ]);
    // Revenue and VAT counted once, the advance cleared, the customer owes what the final invoice asks.
    expect([net("706000"), net("445710"), net("419100"), -net("411000")]).toEqual([40000, 2200, 0, final.amount_due]);
  });

  it("books to the organization's own accounts once set, tab-separated on request", async () => {
    const g = await generatedYear();
    const accounting = {
      customer_account: "41100000",
      revenue_accounts_by_vat_rate: { "20": "70610000", "5.5": "70620000" },
      vat_accounts_by_rate: { "20": "44571200", "10": "44571100", "5.5": "44571050" },
      bank_account: "51210000",
    };
    const updated = await expectOk(await call(`/v1/organizations/${g.w.org.id}`, { method: "PATCH", token: g.t.token, body: { accounting } }));
    expect(updated.accounting).toEqual(accounting);
    expect((await expectOk(await call(`/v1/organizations/${g.w.org.id}`, { token: g.t.token }))).accounting).toEqual(accounting);
    // Audited like any change to the organization.
    const audit = await expectOk(await call(`/v1/audit_logs?resource_id=${g.w.org.id}&action=updated`, { token: g.t.token, headers: { "x-entity-id": g.w.org.id } }));
    expect(JSON.stringify(audit.data[0].changes)).toContain("44571050");

    const res = await fec(g.a, `year=${g.year}&separator=tab`);
    expect(res.status).toBe(200);
    const { header, rows } = parse(res.text, "\t");
    expect(header).toBe(COLUMNS.replaceAll("|", "\t"));
    const sale = rows.filter((r) => r.PieceRef === g.mixed.invoice_number);
    const accountOf = (label: string) => sale.find((r) => r.CompteLib.endsWith(label) && !r.CompteLib.startsWith("TVA"))?.CompteNum;
    expect(accountOf("20 %")).toBe("70610000");
    expect(accountOf("5,5 %")).toBe("70620000");
    // 10 % has no revenue account of its own: the default stands.
    expect(accountOf("10 %")).toBe("706000");
    expect(new Set(sale.filter((r) => r.CompteLib.startsWith("TVA")).map((r) => r.CompteNum))).toEqual(new Set(["44571200", "44571100", "44571050"]));
    expect(new Set(rows.filter((r) => r.JournalCode === "BQ").map((r) => r.CompteNum))).toEqual(new Set(["41100000", "51210000"]));
    for (const [num, lines] of entries(rows)) expect(sumOf(lines, "Debit"), num).toBe(sumOf(lines, "Credit"));

    // null goes back to the plan comptable général.
    expect((await expectOk(await call(`/v1/organizations/${g.w.org.id}`, { method: "PATCH", token: g.t.token, body: { accounting: null } }))).accounting).toBeNull();
    expect(parse((await fec(g.a, `year=${g.year}`)).text).rows.some((r) => r.CompteNum === "411000")).toBe(true);
  });

  it("refuses account numbers that are not 3 to 20 digits, naming the field, and writes nothing", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const cases: [unknown, string][] = [
      [{ customer_account: "411A" }, "accounting.customer_account"],
      [{ bank_account: "51" }, "accounting.bank_account"],
      [{ bank_account: "1".repeat(21) }, "accounting.bank_account"],
      [{ revenue_accounts_by_vat_rate: { "20": "706 000" } }, "accounting.revenue_accounts_by_vat_rate.20"],
      [{ vat_accounts_by_rate: { "vingt": "445712" } }, "accounting.vat_accounts_by_rate.vingt"],
      [{ ledger: "401000" }, "accounting.ledger"],
    ];
    for (const [accounting, param] of cases) {
      const res = await call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: t.token, body: { accounting } });
      expect(res.status, JSON.stringify(accounting)).toBe(400);
      expect(res.body.error.param, JSON.stringify(accounting)).toBe(param);
    }
    expect((await expectOk(await call(`/v1/organizations/${w.org.id}`, { token: t.token }))).accounting).toBeNull();
  });

  it("answers 400 naming `year` for a year out of range or not a number, 403 without reports:read, 404 for another partner's organization", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    const year = thisYear();
    for (const bad of ["1999", String(year + 2), "abc", "2026.5", "", "20260"]) {
      const res = await call(`/v1/exports/fec?year=${bad}`, { token: t.token, headers: { "x-entity-id": w.org.id } });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.param, bad).toBe("year");
    }
    expect((await call("/v1/exports/fec", { token: t.token, headers: { "x-entity-id": w.org.id } })).body.error.param).toBe("year");
    const badSeparator = await call(`/v1/exports/fec?year=${year}&separator=comma`, { token: t.token, headers: { "x-entity-id": w.org.id } });
    expect([badSeparator.status, badSeparator.body.error.param]).toEqual([400, "separator"]);
    expect((await fec(a, `year=${year + 1}`)).status).toBe(200);
    expect((await fec(a, "year=2000")).status).toBe(200);

    const noEntity = await call(`/v1/exports/fec?year=${year}`, { token: t.token });
    expect([noEntity.status, noEntity.body.error.param]).toEqual([400, "X-Entity-Id"]);

    const invoicesOnly = await accessToken(await issueCredential(t.partnerId, "test", ["invoices:read"]));
    const forbidden: CallResult = await call(`/v1/exports/fec?year=${year}`, { token: invoicesOnly, headers: { "x-entity-id": w.org.id } });
    expect(forbidden.status).toBe(403);
    const reportsOnly = await accessToken(await issueCredential(t.partnerId, "test", ["reports:read"]));
    expect((await fec(api(reportsOnly, w.org.id), `year=${year}`)).status).toBe(200);

    const other = await createPartner();
    const foreign = await call(`/v1/exports/fec?year=${year}`, { token: other.token, headers: { "x-entity-id": w.org.id } });
    expect([foreign.status, foreign.body.error.param]).toEqual([404, "X-Entity-Id"]);
  });
});

function fmt(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(cents % 100).padStart(2, "0")}`;
}
