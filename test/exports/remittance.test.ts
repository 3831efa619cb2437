import { env, exports } from "cloudflare:workers";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { addDays, parisStartOfDay, parisToday } from "../../src/domain/dates";
import { COLLECTED_PAYMENT_STATUSES } from "../../src/domain/payment";
import { accessToken, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld } from "../helpers/harness";
import { api, expectError, link, SEED_TOTAL, type Api } from "../payments/fixtures";

/**
 * Issue 14: a department's monthly remittance statement ("bordereau de versement"), JSON, CSV and
 * PDF, from a month of activity recorded through the API: counter payments on several days, an
 * online payment and its partial refund (their dates moved into the month in D1, as the sandbox
 * pays "now"), a voided cheque, and movements outside the month or of another department.
 */

const previousMonth = () => addDays(`${parisToday().slice(0, 7)}-01`, -1).slice(0, 7);
const monthBefore = (month: string) => addDays(`${month}-01`, -1).slice(0, 7);

async function fetchRaw(token: string, path: string) {
  const res = await exports.default.fetch(new Request(`https://api.test${path}`, { headers: { authorization: `Bearer ${token}` } }));
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function sha256(bytes: Uint8Array) {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every page of GET /v1/payments for a query. */
async function listAll(a: Api, query: string) {
  const out: { id: string; amount: number; status: string; method: string }[] = [];
  for (let page = 1; ; page++) {
    const body = await expectOk(await a.listPayments(`${query}&page_size=100&page=${page}`));
    out.push(...body.data);
    if (page >= body.pagination.total_pages) return out;
  }
}

async function monthOfActivity() {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const headers = { "x-entity-id": w.org.id };
  const month = previousMonth();
  const issue = async (name: string, deptId = w.dept.id) => {
    const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(deptId), payer: { ...seedInvoiceBody(deptId).payer, name }, due_date: "2099-01-01" }), 201);
    return expectOk(await a.issueInvoice(draft.id));
  };
  const record = (invoiceId: string, body: Record<string, unknown>) => call(`/v1/invoices/${invoiceId}/payments`, { token: t.token, headers, body });

  // Invoice A, paid at the counter: cash on the 3rd, a cheque on the 10th.
  const invA = await issue("Jean-Pierre Dupont");
  const cash = await expectOk(await record(invA.id, { amount: 12200, method: "cash", received_at: `${month}-03` }), 201);
  const cheque = await expectOk(await record(invA.id, { amount: SEED_TOTAL - 12200, method: "cheque", received_at: `${month}-10`, reference: "CHQ 0012345" }), 201);

  // Invoice B, paid online on the 20th, 15,00 € refunded on the 21st.
  const invB = await issue("Marie Curie");
  const l = await link(a, invB.id);
  await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE payment_intent_id = ?").bind(`${month}-20T10:00:00.000Z`, l.payment_intent_id).run();
  const refund = await expectOk(await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: l.payment_intent_id, amount: 1500 } }), 201);
  await expectOk(await call(`/v1/sandbox/refunds/${refund.id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));
  await env.DB.prepare("UPDATE refunds SET completed_at = ? WHERE id = ?").bind(`${month}-21T09:00:00.000Z`, refund.id).run();

  // A payment request of the department (no invoice), paid by card on the 25th: numbered DP-….
  const req = await expectOk(await a.createLink({ amount: 4500, description: "Stage de voile", payer: { name: "Élodie Bernard", email: "elodie@example.com" }, department_id: w.dept.id, payment_methods: ["card"] }), 201);
  await expectOk(await a.simulate(req.payment_intent_id, "succeeded"));
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE payment_intent_id = ?").bind(`${month}-25T16:30:00.000Z`, req.payment_intent_id).run();

  // Invoice C: a cheque recorded by mistake on the 10th and voided; a transfer the month before.
  const invC = await issue("Zoé Martin");
  const mistake = await expectOk(await record(invC.id, { amount: 5000, method: "cheque", received_at: `${month}-10`, reference: "CHQ 999" }), 201);
  await expectOk(await call(`/v1/payments/${mistake.id}/void`, { token: t.token, headers, body: { reason: "Chèque enregistré deux fois" } }));
  await expectOk(await record(invC.id, { amount: 2000, method: "bank_transfer", received_at: `${monthBefore(month)}-28` }), 201);

  // Another department of the organization, paid in the month: not on this statement.
  const other = await expectOk(await call(`/v1/organizations/${w.org.id}/departments`, { token: t.token, body: { name: "Régie des Sports", code: "SPORTS" } }), 201);
  const invD = await issue("Paul Sport", other.id);
  await expectOk(await record(invD.id, { amount: 700, method: "cash", received_at: `${month}-10` }), 201);

  return { t, w, a, month, invA, invB, invC, cash, cheque, mistake, refund, intentB: l.payment_intent_id as string };
}

const statementPath = (deptId: string, month: string, ext = "") => `/v1/departments/${deptId}/remittances/${month}${ext}`;

describe("GET /v1/departments/{id}/remittances/{month}", () => {
  it("gives per day and method, every payment with its receipt number and payer initials, the totals and the department's identity", async () => {
    const g = await monthOfActivity();
    const s = await expectOk(await call(statementPath(g.w.dept.id, g.month), { token: g.t.token }));
    expect(s).toMatchObject({
      object: "remittance_statement",
      organization: { id: g.w.org.id, name: "Mairie de Lyon", siret: "21690123400019" },
      department: { id: g.w.dept.id, name: "Régie de l'Eau", code: "REG-EAU-001" },
      period: { month: g.month, from: `${g.month}-01` },
      currency: "EUR",
    });
    // The default account, masked as the bank account API shows it (never the full IBAN).
    expect(s.bank_account).toEqual({ iban_masked: "FR76 **** **** **** **** ***0 123", bank_name: "BNP Paribas" });

    expect(s.days).toEqual([
      { date: `${g.month}-03`, method: "cash", collected_count: 1, collected: 12200, refunded_count: 0, refunded: 0 },
      { date: `${g.month}-10`, method: "cheque", collected_count: 1, collected: 30000, refunded_count: 0, refunded: 0 },
      { date: `${g.month}-20`, method: "sepa_credit", collected_count: 1, collected: 42200, refunded_count: 0, refunded: 0 },
      { date: `${g.month}-21`, method: "sepa_credit", collected_count: 0, collected: 0, refunded_count: 1, refunded: 1500 },
      { date: `${g.month}-25`, method: "card", collected_count: 1, collected: 4500, refunded_count: 0, refunded: 0 },
    ]);
    expect(s.payments.map((p: Record<string, unknown>) => [p.receipt_number, p.invoice_number, p.payer_initials, p.amount, p.method, p.reference, p.date])).toEqual([
      [`${g.invA.invoice_number}-R1`, g.invA.invoice_number, "J.-P. D.", 12200, "cash", null, `${g.month}-03`],
      [`${g.invA.invoice_number}-R2`, g.invA.invoice_number, "J.-P. D.", 30000, "cheque", "CHQ 0012345", `${g.month}-10`],
      [`${g.invB.invoice_number}-R1`, g.invB.invoice_number, "M. C.", 42200, "sepa_credit", null, `${g.month}-20`],
      [expect.stringMatching(/^DP-[0-9A-F-]+$/), null, "É. B.", 4500, "card", null, `${g.month}-25`],
    ]);
    expect(s.refunds).toEqual([{ id: g.refund.id, payment_id: s.payments[2].id, receipt_number: `${g.invB.invoice_number}-R1`, amount: 1500, method: "sepa_credit", completed_at: `${g.month}-21T09:00:00.000Z`, date: `${g.month}-21` }]);
    // The voided cheque: apart, never counted.
    expect(s.voided_payments.map((p: Record<string, unknown>) => [p.id, p.receipt_number, p.amount, p.payer_initials])).toEqual([[g.mistake.id, `${g.invC.invoice_number}-R1`, 5000, "Z. M."]]);
    expect(s.totals).toMatchObject({ collected: 88900, refunded: 1500, net: 87400, collected_count: 4, refunded_count: 1 });
    expect(s.totals.by_method).toMatchObject({
      cash: { collected_count: 1, collected: 12200, refunded: 0, net: 12200 },
      cheque: { collected_count: 1, collected: 30000, net: 30000 },
      sepa_credit: { collected_count: 1, collected: 42200, refunded_count: 1, refunded: 1500, net: 40700 },
      card: { collected_count: 1, collected: 4500, net: 4500 },
      bank_transfer: { collected: 0 },
      other: { collected: 0 },
    });
    // Initials only: no payer's name anywhere in the statement.
    for (const name of ["Dupont", "Jean", "Marie", "Curie", "Zoé", "Martin", "Paul", "Élodie", "Bernard", "elodie@"]) expect(JSON.stringify(s)).not.toContain(name);

    // The receipt numbers are those of the receipts themselves.
    const receipt = await exports.default.fetch(new Request(`https://api.test/v1/payments/${g.cheque.id}/receipt`, { headers: { authorization: `Bearer ${g.t.token}`, "x-entity-id": g.w.org.id } }));
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get("content-disposition")).toContain(`recu-${g.invA.invoice_number}-R2.pdf`);
  });

  it("has totals equal to the sums over GET /v1/payments for the department and the month", async () => {
    const g = await monthOfActivity();
    const s = await expectOk(await call(statementPath(g.w.dept.id, g.month), { token: g.t.token }));
    const lastDay = s.period.to;
    const listed = await listAll(g.a, `department_id=${g.w.dept.id}&from_date=${g.month}-01&to_date=${lastDay}`);
    const collected = listed.filter((p) => (COLLECTED_PAYMENT_STATUSES as readonly string[]).includes(p.status));
    expect(s.totals.collected).toBe(collected.reduce((sum, p) => sum + p.amount, 0));
    expect(s.totals.collected_count).toBe(collected.length);
    expect(s.payments.map((p: { id: string }) => p.id).sort()).toEqual(collected.map((p) => p.id).sort());
    expect(s.voided_payments.map((p: { id: string }) => p.id)).toEqual(listed.filter((p) => p.status === "voided").map((p) => p.id));
    for (const method of ["cash", "cheque", "sepa_credit", "card", "bank_transfer", "other"]) {
      expect(s.totals.by_method[method].collected, method).toBe(collected.filter((p) => p.method === method).reduce((sum, p) => sum + p.amount, 0));
    }
    // The days add up to the totals.
    expect(s.days.reduce((sum: number, d: { collected: number }) => sum + d.collected, 0)).toBe(s.totals.collected);
    expect(s.days.reduce((sum: number, d: { refunded: number }) => sum + d.refunded, 0)).toBe(s.totals.refunded);

    // The month before holds only the transfer; a month without activity is an empty statement.
    const before = await expectOk(await call(statementPath(g.w.dept.id, monthBefore(g.month)), { token: g.t.token }));
    expect(before.payments.map((p: { method: string; amount: number }) => [p.method, p.amount])).toEqual([["bank_transfer", 2000]]);
    const empty = await expectOk(await call(statementPath(g.w.dept.id, "2001-01"), { token: g.t.token }));
    expect(empty).toMatchObject({ days: [], payments: [], refunds: [], voided_payments: [], totals: { collected: 0, refunded: 0, net: 0 } });
    // The month's edges are Paris midnights: one second before the next month is in, its midnight is not.
    const next = addDays(`${s.period.to}`, 1).slice(0, 7);
    const headers = { "x-entity-id": g.w.org.id };
    const lastSecond = new Date(parisStartOfDay(`${next}-01`).getTime() - 1000).toISOString();
    const late = await expectOk(await call(`/v1/invoices/${g.invC.id}/payments`, { token: g.t.token, headers, body: { amount: 300, method: "cash", received_at: lastSecond } }), 201);
    const first = await expectOk(await call(`/v1/invoices/${g.invC.id}/payments`, { token: g.t.token, headers, body: { amount: 400, method: "cash", received_at: `${next}-01` } }), 201);
    const edged = await expectOk(await call(statementPath(g.w.dept.id, g.month), { token: g.t.token }));
    expect(edged.payments.at(-1)).toMatchObject({ id: late.id, date: s.period.to, receipt_number: `${g.invC.invoice_number}-R3` });
    expect(edged.totals.collected).toBe(s.totals.collected + 300);
    const nextStatement = await expectOk(await call(statementPath(g.w.dept.id, next), { token: g.t.token }));
    expect(nextStatement.payments.map((p: { id: string }) => p.id)).toEqual([first.id]);

    // Another currency: nothing in euros counted.
    const usd = await expectOk(await call(`${statementPath(g.w.dept.id, g.month)}?currency=USD`, { token: g.t.token }));
    expect(usd).toMatchObject({ currency: "USD", payments: [], totals: { collected: 0, refunded: 0 } });
  });

  it("is 404 for another partner's department, 400 naming `month` for a bad month, 403 without reports:read", async () => {
    const g = await monthOfActivity();
    const stranger = await createPartner();
    for (const ext of ["", ".csv", ".pdf"]) {
      expectError(await call(statementPath(g.w.dept.id, g.month, ext), { token: stranger.token }), 404, { type: "not_found_error" });
      expectError(await call(statementPath("dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", g.month, ext), { token: g.t.token }), 404, { type: "not_found_error" });
      for (const bad of ["2026-13", "2026-3", "26-03", "1999-12", "2101-01", "2026-03-01", "mars"]) {
        expectError(await call(statementPath(g.w.dept.id, bad, ext), { token: g.t.token }), 400, { param: "month" });
      }
    }
    expectError(await call(`${statementPath(g.w.dept.id, g.month)}?currency=euro`, { token: g.t.token }), 400, { param: "currency" });
    const noReports = await issueCredential(g.t.partnerId, "test", ["invoices:read", "organizations:read"]);
    const token = await accessToken(noReports);
    expect((await call(statementPath(g.w.dept.id, g.month), { token })).status).toBe(403);
  });
});

describe("GET /v1/departments/{id}/remittances/{month}.csv", () => {
  it("has the daily lines then the payments, read back by papaparse, `;` and decimal commas", async () => {
    const g = await monthOfActivity();
    const res = await fetchRaw(g.t.token, statementPath(g.w.dept.id, g.month, ".csv"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="bordereau-REG-EAU-001-${g.month}.csv"`);
    expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(res.bytes).slice(1);
    const parsed = Papa.parse<string[]>(text, { delimiter: ";", newline: "\r\n", skipEmptyLines: false });
    expect(parsed.errors).toEqual([]);
    // Tables: title line, header line, rows, then an empty line.
    const sections = new Map<string, { header: string[]; rows: Record<string, string>[] }>();
    let i = 0;
    while (i < parsed.data.length) {
      const title = parsed.data[i]![0]!;
      const header = parsed.data[i + 1]!;
      const rows: Record<string, string>[] = [];
      i += 2;
      while (i < parsed.data.length && !(parsed.data[i]!.length === 1 && parsed.data[i]![0] === "")) {
        rows.push(Object.fromEntries(header.map((h, j) => [h, parsed.data[i]![j]!])));
        i++;
      }
      i++;
      sections.set(title, { header, rows });
    }
    expect([...sections.keys()]).toEqual(["remittance_statement", "days", "payments", "refunds", "voided_payments"]);
    expect(sections.get("remittance_statement")!.rows).toEqual([
      expect.objectContaining({ organization: "Mairie de Lyon", siret: "21690123400019", department: "Régie de l'Eau", department_code: "REG-EAU-001", month: g.month, currency: "EUR", collected: "889,00", refunded: "15,00", net: "874,00" }),
    ]);
    expect(sections.get("days")!.rows).toEqual([
      { date: `${g.month}-03`, method: "cash", collected_count: "1", collected: "122,00", refunded_count: "0", refunded: "0,00" },
      { date: `${g.month}-10`, method: "cheque", collected_count: "1", collected: "300,00", refunded_count: "0", refunded: "0,00" },
      { date: `${g.month}-20`, method: "sepa_credit", collected_count: "1", collected: "422,00", refunded_count: "0", refunded: "0,00" },
      { date: `${g.month}-21`, method: "sepa_credit", collected_count: "0", collected: "0,00", refunded_count: "1", refunded: "15,00" },
      { date: `${g.month}-25`, method: "card", collected_count: "1", collected: "45,00", refunded_count: "0", refunded: "0,00" },
    ]);
    expect(sections.get("payments")!.header).toEqual(["date", "receipt_number", "invoice_number", "payer_initials", "method", "amount", "reference", "payment_id"]);
    expect(sections.get("payments")!.rows.map((r) => [r.receipt_number, r.payer_initials, r.amount, r.reference])).toEqual([
      [`${g.invA.invoice_number}-R1`, "J.-P. D.", "122,00", ""],
      [`${g.invA.invoice_number}-R2`, "J.-P. D.", "300,00", "CHQ 0012345"],
      [`${g.invB.invoice_number}-R1`, "M. C.", "422,00", ""],
      [expect.stringMatching(/^DP-/), "É. B.", "45,00", ""],
    ]);
    expect(sections.get("refunds")!.rows).toEqual([{ date: `${g.month}-21`, receipt_number: `${g.invB.invoice_number}-R1`, method: "sepa_credit", amount: "15,00", refund_id: g.refund.id }]);
    expect(sections.get("voided_payments")!.rows.map((r) => r.payment_id)).toEqual([g.mistake.id]);
    expect(text).not.toContain("Dupont");

    // `separator=,`: decimal points.
    const comma = await fetchRaw(g.t.token, `${statementPath(g.w.dept.id, g.month, ".csv")}?separator=,`);
    const commaText = new TextDecoder().decode(comma.bytes);
    expect(commaText).toContain(`${g.month}-03,cash,1,122.00,0,0.00\r\n`);
  });
});

describe("GET /v1/departments/{id}/remittances/{month}.pdf", () => {
  it("is a French PDF with the totals, the payments and the signature block; the same data gives the same bytes", async () => {
    const g = await monthOfActivity();
    const path = statementPath(g.w.dept.id, g.month, ".pdf");
    const first = await fetchRaw(g.t.token, path);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/pdf");
    expect(first.headers.get("content-disposition")).toBe(`inline; filename="bordereau-REG-EAU-001-${g.month}.pdf"`);
    expect(new TextDecoder().decode(first.bytes.slice(0, 5))).toBe("%PDF-");
    const second = await fetchRaw(g.t.token, path);
    expect(await sha256(second.bytes)).toBe(await sha256(first.bytes));

    // New data, new bytes.
    const record = await call(`/v1/invoices/${g.invC.id}/payments`, { token: g.t.token, headers: { "x-entity-id": g.w.org.id }, body: { amount: 100, method: "cash", received_at: `${g.month}-15` } });
    expect(record.status).toBe(201);
    const third = await fetchRaw(g.t.token, path);
    expect(await sha256(third.bytes)).not.toBe(await sha256(first.bytes));
    // A French document: its language, and its XMP title and subject (the net amount, French style).
    const raw = new TextDecoder().decode(first.bytes);
    expect(raw).toContain("fr-FR");
    expect(raw).toContain(`<rdf:li xml:lang="x-default">Bordereau de versement Régie de l&apos;Eau ${g.month}</rdf:li>`);
    expect(raw).toContain("net 874,00\u00a0€");
  });
});
