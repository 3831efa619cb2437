import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { invoices } from "../../src/db/schema";
import { systemContext, type ServiceContext } from "../../src/services/context";
import { createInvoice, CreateInvoiceInput } from "../../src/services/invoices/create-invoice";
import { updateInvoice, UpdateInvoiceInput } from "../../src/services/invoices/update-invoice";
import { assertDepositsStillDeductible, depositsStillDeductible } from "../../src/services/invoices/deposits";
import { call, createPartner, expectOk, SEED, seedInvoiceBody, seedWorld, VALID_ORGANIZATION, type CallResult, type Tenant } from "../helpers/harness";
import { quiesce } from "../helpers/world";
import { api, link, type Api } from "../payments/fixtures";

/**
 * Issue 12, "Deposit invoices": a deposit invoice ("facture d'acompte", `type: deposit`) is issued
 * and paid like any other; a final invoice deducts it (`deducted_deposits`), showing it as
 * prepaid and asking only for the rest. A deposit is deducted once: a draft reserves it, the issue
 * keeps it, a cancel releases it. Every refused request writes nothing. Each test makes its own
 * partner; payments go through the sandbox as a partner's would.
 */

function parisToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** A 30 % advance on works: 100 € excluding VAT at 20 % = 120 €. */
const DEPOSIT_LINE = { description: "Acompte 30 % travaux de raccordement", quantity: 1, unit_price: 10000, vat_rate: 20 };
const DEPOSIT_TOTAL = 12000;
/** Seed 001's invoice: 422 €. */
const FINAL_TOTAL = 42200;

type World = Awaited<ReturnType<typeof depositWorld>>;

async function depositWorld(t?: Tenant) {
  const tenant = t ?? (await createPartner());
  const w = await seedWorld(tenant);
  const a = api(tenant.token, w.org.id);
  const patch = (id: string, body: unknown) => call(`/v1/invoices/${id}`, { method: "PATCH", token: tenant.token, headers: { "x-entity-id": w.org.id }, body });
  const cancel = (id: string) => call(`/v1/invoices/${id}/cancel`, { method: "POST", token: tenant.token, headers: { "x-entity-id": w.org.id }, body: { reason: "Erreur de facturation" } });
  const audit = (query: string) => call(`/v1/audit_logs?${query}`, { token: tenant.token, headers: { "x-entity-id": w.org.id } });
  const finalBody = (deducted: unknown, extra: Record<string, unknown> = {}) => ({ ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01", deducted_deposits: deducted, ...extra });
  return { t: tenant, ...w, a, patch, cancel, audit, finalBody };
}

async function issuedDeposit(a: Api, deptId: string, line = DEPOSIT_LINE) {
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(deptId), due_date: "2099-01-01", type: "deposit", line_items: [line] }), 201);
  return expectOk(await a.issueInvoice(draft.id));
}

/** A deposit invoice issued and paid in full through a payment link in the sandbox. */
async function paidDeposit(a: Api, deptId: string, line = DEPOSIT_LINE) {
  const issued = await issuedDeposit(a, deptId, line);
  const l = await link(a, issued.id);
  await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
  const paid = await expectOk(await a.getInvoice(issued.id));
  expect(paid).toMatchObject({ type: "deposit", status: "paid", amount_due: 0 });
  return { ...paid, payment_intent_id: l.payment_intent_id as string };
}

async function deductedBy(invoiceId: string): Promise<string | null> {
  return (await env.DB.prepare("SELECT deducted_by FROM invoices WHERE id = ?").bind(invoiceId).first<{ deducted_by: string | null }>())!.deducted_by;
}

/** What a refused request must leave as it was: the partner's rows and every deposit reservation. */
async function snapshot(partnerId: string) {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM invoices WHERE partner_id = ?1) AS invoices,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs,
            (SELECT count(*) FROM events WHERE partner_id = ?1) AS events,
            (SELECT group_concat(id || ':' || coalesce(deducted_by, '-') || ':' || version, ',') FROM invoices WHERE partner_id = ?1) AS invoices_state`,
  )
    .bind(partnerId)
    .first();
}

function expectError(res: CallResult, status: number, code: string, param: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toMatchObject({ code, param });
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

async function auditOf(w: World, resourceId: string, action: string) {
  return (await expectOk(await w.audit(`resource_type=invoice&resource_id=${resourceId}&action=${action}`))).data;
}

describe("deposit invoices deducted by a final invoice", () => {
  it("a paid deposit is deducted: amount due = total − deposit, cited with its number and date; the final invoice is issued and paid for the rest", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    expect(deposit.invoice_number).toMatch(/^FAC-\d{4}-00001$/);
    expect(deposit.total_amount).toBe(DEPOSIT_TOTAL);

    const final = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    const cited = [{ invoice_id: deposit.id, invoice_number: deposit.invoice_number, issue_date: parisToday(new Date(deposit.issued_at)), amount: DEPOSIT_TOTAL }];
    expect(final).toMatchObject({ type: "standard", total_amount: FINAL_TOTAL, deposits_amount: DEPOSIT_TOTAL, amount_paid: 0, amount_due: FINAL_TOTAL - DEPOSIT_TOTAL, deducted_deposits: cited });
    expect(await expectOk(await w.a.getInvoice(final.id))).toMatchObject({ deposits_amount: DEPOSIT_TOTAL, amount_due: 30200, deducted_deposits: cited });

    // The deposit is reserved by the draft, and the reservation is in the deposit's audit trail.
    expect(await deductedBy(deposit.id)).toBe(final.id);
    const reserved = await auditOf(w, deposit.id, "deposit_reserved");
    expect(reserved).toHaveLength(1);
    expect(reserved[0].changes).toEqual({ before: { deducted_by: null }, after: { deducted_by: final.id } });
    // The deposit itself is unchanged as a partner sees it.
    const { payment_intent_id: _pi, ...depositAsRead } = deposit;
    expect(await expectOk(await w.a.getInvoice(deposit.id))).toEqual(depositAsRead);

    const issued = await expectOk(await w.a.issueInvoice(final.id));
    expect(issued).toMatchObject({ status: "issued", invoice_number: expect.stringMatching(/-00002$/), deposits_amount: DEPOSIT_TOTAL, amount_due: 30200, deducted_deposits: cited });
    expect(await deductedBy(deposit.id)).toBe(final.id);

    // A payment link asks for what is due, and paying it settles the invoice.
    const l = await link(w.a, final.id);
    expect(l.amount).toBe(30200);
    await expectOk(await w.a.simulate(l.payment_intent_id, "succeeded"));
    expect(await expectOk(await w.a.getInvoice(final.id))).toMatchObject({ status: "paid", amount_paid: 30200, amount_due: 0, deposits_amount: DEPOSIT_TOTAL });
  });

  it("a deposit deducted by an issued final invoice cannot be refunded (409 deposit_deducted, nothing written); while the final invoice is a draft it can", async () => {
    const w = await depositWorld();
    const refund = (intentId: string, body: Record<string, unknown> = {}) =>
      call("/v1/refunds", { token: w.t.token, headers: { "x-entity-id": w.org.id }, body: { payment_intent_id: intentId, amount: 100, ...body } });
    const deposit = await paidDeposit(w.a, w.dept.id);
    const final = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    await expectOk(await w.a.issueInvoice(final.id));
    const before = await snapshot(w.t.partnerId);
    for (const body of [{}, { type: "repayment" }, { type: "price_reduction", reason: "Remise" }]) {
      const res = await refund(deposit.payment_intent_id, body);
      expectError(res, 409, "deposit_deducted", "payment_intent_id");
      expect(res.body.error.message).toContain(deposit.invoice_number);
    }
    expect(await snapshot(w.t.partnerId)).toEqual(before);

    // A deposit reserved by a draft only: the refund goes through (the draft's issue then refuses it).
    const other = await paidDeposit(w.a, w.dept.id);
    await expectOk(await w.a.createInvoice(w.finalBody([other.id])), 201);
    expect((await refund(other.payment_intent_id, { type: "repayment" })).status).toBe(201);
  });

  it("deducts several deposits; a PATCH replaces the list, releasing those removed and reserving those added, each audited", async () => {
    const w = await depositWorld();
    const first = await paidDeposit(w.a, w.dept.id);
    const second = await paidDeposit(w.a, w.dept.id, { ...DEPOSIT_LINE, unit_price: 5000 }); // 60 €
    const third = await paidDeposit(w.a, w.dept.id, { ...DEPOSIT_LINE, unit_price: 2500 }); // 30 €

    const final = await expectOk(await w.a.createInvoice(w.finalBody([first.id, second.id])), 201);
    expect(final).toMatchObject({ deposits_amount: 18000, amount_due: FINAL_TOTAL - 18000 });
    expect(final.deducted_deposits.map((d: { invoice_id: string }) => d.invoice_id)).toEqual([first.id, second.id]);

    const edited = await expectOk(await w.patch(final.id, { deducted_deposits: [second.id, third.id] }));
    expect(edited).toMatchObject({ deposits_amount: 9000, amount_due: FINAL_TOTAL - 9000 });
    expect(edited.deducted_deposits.map((d: { invoice_id: string; amount: number }) => [d.invoice_id, d.amount])).toEqual([[second.id, 6000], [third.id, 3000]]);
    expect([await deductedBy(first.id), await deductedBy(second.id), await deductedBy(third.id)]).toEqual([null, final.id, final.id]);
    expect((await auditOf(w, first.id, "deposit_released")).map((e: { changes: unknown }) => e.changes)).toEqual([{ before: { deducted_by: final.id }, after: { deducted_by: null } }]);
    expect(await auditOf(w, second.id, "deposit_reserved")).toHaveLength(1);
    expect(await auditOf(w, second.id, "deposit_released")).toHaveLength(0);
    expect(await auditOf(w, third.id, "deposit_reserved")).toHaveLength(1);
    const updated = await auditOf(w, final.id, "updated");
    expect(updated[0].changes.after).toMatchObject({ deposits_amount: 9000, amount_due: FINAL_TOTAL - 9000 });

    // Other lines keep the deposits; an empty list deducts none.
    const relined = await expectOk(await w.patch(final.id, { line_items: [{ description: "Raccordement", quantity: 1, unit_price: 50000, vat_rate: 20 }] }));
    expect(relined).toMatchObject({ total_amount: 60000, deposits_amount: 9000, amount_due: 51000 });
    const none = await expectOk(await w.patch(final.id, { deducted_deposits: [] }));
    expect(none).toMatchObject({ deducted_deposits: [], deposits_amount: 0, amount_due: 60000 });
    expect([await deductedBy(second.id), await deductedBy(third.id)]).toEqual([null, null]);
  });

  it("the released deposit can be deducted by another invoice", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const other = await paidDeposit(w.a, w.dept.id);
    const a = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id, other.id])), 201);
    await expectOk(await w.patch(a.id, { deducted_deposits: [other.id] }));
    const b = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    expect(await deductedBy(deposit.id)).toBe(b.id);
    expect(await deductedBy(other.id)).toBe(a.id);
  });
});

describe("deducted_deposits refused: 422 naming it, nothing written", () => {
  type Case = { case: string; deducted: (w: World, deposit: { id: string }) => Promise<unknown[]> | unknown[]; code: string; param: string; status?: number };
  const cases: Case[] = [
    { case: "an issued deposit not yet paid", deducted: async (w) => [(await issuedDeposit(w.a, w.dept.id)).id], code: "deposit_not_paid", param: "deducted_deposits.0" },
    {
      case: "a draft deposit",
      deducted: async (w) => [(await expectOk(await w.a.createInvoice({ ...seedInvoiceBody(w.dept.id), type: "deposit", line_items: [DEPOSIT_LINE] }), 201)).id],
      code: "deposit_not_paid",
      param: "deducted_deposits.0",
    },
    {
      case: "a deposit partly paid",
      deducted: async (w) => {
        const d = await issuedDeposit(w.a, w.dept.id);
        await expectOk(await w.a.simulate((await link(w.a, d.id, { amount: 5000 })).payment_intent_id, "succeeded"));
        return [d.id];
      },
      code: "deposit_not_paid",
      param: "deducted_deposits.0",
    },
    {
      case: "a paid standard invoice",
      deducted: async (w) => {
        const d = await expectOk(await w.a.issueInvoice((await expectOk(await w.a.createInvoice({ ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01", line_items: [DEPOSIT_LINE] }), 201)).id));
        await expectOk(await w.a.simulate((await link(w.a, d.id)).payment_intent_id, "succeeded"));
        expect((await expectOk(await w.a.getInvoice(d.id))).status).toBe("paid");
        return [d.id];
      },
      code: "not_a_deposit_invoice",
      param: "deducted_deposits.0",
    },
    {
      case: "a paid deposit of another organization of the same partner",
      deducted: async (w) => {
        const org = await expectOk(await call("/v1/organizations", { token: w.t.token, body: VALID_ORGANIZATION }), 201);
        const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: w.t.token, body: SEED.department }), 201);
        await expectOk(await call(`/v1/departments/${dept.id}/bank_accounts`, { token: w.t.token, body: SEED.bankAccount }), 201);
        await expectOk(await call(`/v1/departments/${dept.id}/kyc`, { token: w.t.token, body: SEED.kyc }), 201);
        return [(await paidDeposit(api(w.t.token, org.id), dept.id)).id];
      },
      code: "deposit_not_found",
      param: "deducted_deposits.0",
    },
    {
      case: "a paid deposit of another partner",
      deducted: async () => {
        const stranger = await depositWorld();
        return [(await paidDeposit(stranger.a, stranger.dept.id)).id];
      },
      code: "deposit_not_found",
      param: "deducted_deposits.0",
    },
    { case: "an unknown invoice id", deducted: () => ["inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"], code: "deposit_not_found", param: "deducted_deposits.0" },
    { case: "a malformed id", deducted: () => ["acompte-1"], code: "deposit_not_found", param: "deducted_deposits.0" },
    {
      case: "a deposit already deducted by another draft",
      deducted: async (w, deposit) => {
        await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
        return [deposit.id];
      },
      code: "deposit_already_deducted",
      param: "deducted_deposits.0",
    },
    {
      case: "a deposit already deducted by an issued invoice",
      deducted: async (w, deposit) => {
        await expectOk(await w.a.issueInvoice((await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201)).id));
        return [deposit.id];
      },
      code: "deposit_already_deducted",
      param: "deducted_deposits.0",
    },
    { case: "a good deposit then an unknown one", deducted: (_w, deposit) => [deposit.id, "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"], code: "deposit_not_found", param: "deducted_deposits.1" },
    { case: "the same deposit twice", deducted: (_w, deposit) => [deposit.id, deposit.id], code: "invalid_parameter", param: "deducted_deposits.1", status: 400 },
    { case: "an id that is not a string", deducted: () => [42], code: "invalid_parameter", param: "deducted_deposits.0", status: 400 },
    {
      case: "deposits covering the whole total",
      deducted: async (w) => [(await paidDeposit(w.a, w.dept.id, { description: "Acompte", quantity: 1, unit_price: 40000, vat_rate: 5.5 })).id],
      code: "deposits_exceed_total",
      param: "deducted_deposits",
    },
  ];

  it.each(cases)("POST /v1/invoices deducting $case → $code naming $param", async ({ deducted, code, param, status }) => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const ids = await deducted(w, deposit);
    await quiesce(w.t.partnerId);
    const before = await snapshot(w.t.partnerId);
    expectError(await w.a.createInvoice(w.finalBody(ids)), status ?? 422, code, param);
    expect(await snapshot(w.t.partnerId)).toEqual(before);
  });

  it.each(cases.filter((c) => ["deposit_not_paid", "deposit_already_deducted", "not_a_deposit_invoice", "deposits_exceed_total"].includes(c.code)))(
    "PATCH /v1/invoices/{id} deducting $case → $code naming $param",
    async ({ deducted, code, param, status }) => {
      const w = await depositWorld();
      const deposit = await paidDeposit(w.a, w.dept.id);
      const ids = await deducted(w, deposit);
      await quiesce(w.t.partnerId);
      const before = await snapshot(w.t.partnerId);
      expectError(await w.patch(w.invoice.id, { deducted_deposits: ids }), status ?? 422, code, param);
      expect(await snapshot(w.t.partnerId)).toEqual(before);
    },
  );

  it("a deposit invoice cannot deduct deposits (422), on create and PATCH", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const draftDeposit = await expectOk(await w.a.createInvoice({ ...seedInvoiceBody(w.dept.id), type: "deposit" }), 201);
    const before = await snapshot(w.t.partnerId);
    expectError(await w.a.createInvoice(w.finalBody([deposit.id], { type: "deposit" })), 422, "deposit_cannot_deduct", "deducted_deposits");
    expectError(await w.patch(draftDeposit.id, { deducted_deposits: [deposit.id] }), 422, "deposit_cannot_deduct", "deducted_deposits");
    expect(await snapshot(w.t.partnerId)).toEqual(before);
  });

  it("new lines that leave nothing to pay after the deposits are refused (422), nothing changed", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const final = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    const before = await snapshot(w.t.partnerId);
    expectError(await w.patch(final.id, { line_items: [{ ...DEPOSIT_LINE, description: "Solde" }] }), 422, "deposits_exceed_total", "deducted_deposits");
    expect(await snapshot(w.t.partnerId)).toEqual(before);
    expect(await expectOk(await w.a.getInvoice(final.id))).toEqual(final);
  });

  it("edits are refused once a reserved deposit is no longer paid (refunded), naming it; nothing changed", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const final = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    await expectOk(await call("/v1/refunds", { token: w.t.token, headers: { "x-entity-id": w.org.id }, body: { payment_intent_id: deposit.payment_intent_id, amount: 1000, type: "repayment" } }), 201);
    await quiesce(w.t.partnerId);
    expect((await expectOk(await w.a.getInvoice(deposit.id))).status).toBe("partially_paid");
    const before = await snapshot(w.t.partnerId);
    expectError(await w.patch(final.id, { payment_terms: "À réception" }), 422, "deposit_not_paid", "deducted_deposits.0");
    expect(await snapshot(w.t.partnerId)).toEqual(before);
    // Dropping it is allowed, and releases it.
    await expectOk(await w.patch(final.id, { deducted_deposits: [] }));
    expect(await deductedBy(deposit.id)).toBeNull();
  });
});

describe("one deposit, one final invoice", () => {
  it("drafts racing for the same deposit: exactly one wins, the others are refused and write nothing", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const before = await snapshot(w.t.partnerId);
    const results = await Promise.all(Array.from({ length: 4 }, () => w.a.createInvoice(w.finalBody([deposit.id]))));
    const won = results.filter((r) => r.status === 201);
    expect(won, results.map((r) => r.text).join("\n")).toHaveLength(1);
    for (const lost of results.filter((r) => r.status !== 201)) expectError(lost, 422, "deposit_already_deducted", "deducted_deposits.0");
    expect(await deductedBy(deposit.id)).toBe(won[0]!.body.id);
    const after = (await snapshot(w.t.partnerId)) as { invoices: number; audit_logs: number; events: number };
    const was = before as { invoices: number; audit_logs: number; events: number };
    // One invoice, its created entry and event, one reservation.
    expect([after.invoices - was.invoices, after.audit_logs - was.audit_logs, after.events - was.events]).toEqual([1, 2, 1]);
    expect(await auditOf(w, deposit.id, "deposit_reserved")).toHaveLength(1);
  });

  it("two drafts whose reads both saw the deposit free: the guarded batch lets one through, the other writes nothing", async () => {
    // Over HTTP the requests above rarely interleave between read and write; called side by side in
    // one isolate, both services read the deposit before either batch runs.
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const ctx = systemContext({ db: createDb(env.DB), env: env as never, requestId: "req_race", defer: () => {} }, { partnerId: w.t.partnerId, livemode: false }, "race-test");
    const input = CreateInvoiceInput.parse(w.finalBody([deposit.id]));
    const before = await snapshot(w.t.partnerId);
    const results = await Promise.allSettled([0, 1].map(() => createInvoice({ ctx, organizationId: w.org.id, input })));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: "deposit_already_deducted", param: "deducted_deposits.0" });
    expect(await deductedBy(deposit.id)).toBe((won[0] as PromiseFulfilledResult<{ id: string }>).value.id);
    const after = (await snapshot(w.t.partnerId)) as { invoices: number; audit_logs: number; events: number };
    const was = before as { invoices: number; audit_logs: number; events: number };
    expect([after.invoices - was.invoices, after.audit_logs - was.audit_logs, after.events - was.events]).toEqual([1, 2, 1]);
  });

  it("a new draft and an edited draft whose reads both saw the deposit free: one wins, the other writes nothing", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const ctx = systemContext({ db: createDb(env.DB), env: env as never, requestId: "req_race", defer: () => {} }, { partnerId: w.t.partnerId, livemode: false }, "race-test");
    const before = await snapshot(w.t.partnerId);
    const [created, edited] = await Promise.allSettled([
      createInvoice({ ctx, organizationId: w.org.id, input: CreateInvoiceInput.parse(w.finalBody([deposit.id])) }),
      updateInvoice({ ctx, organizationId: w.org.id, id: w.invoice.id, input: UpdateInvoiceInput.parse({ deducted_deposits: [deposit.id] }) }),
    ]);
    expect([created.status, edited.status].filter((s) => s === "fulfilled")).toHaveLength(1);
    const lost = [created, edited].find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: "deposit_already_deducted", param: "deducted_deposits.0" });
    const winner = created.status === "fulfilled" ? created.value.id : w.invoice.id;
    expect(await deductedBy(deposit.id)).toBe(winner);
    const after = (await snapshot(w.t.partnerId)) as { invoices: number; audit_logs: number };
    const was = before as { invoices: number; audit_logs: number };
    // The winner's own entry (created or updated) and one reservation; the loser nothing.
    expect([after.invoices - was.invoices, after.audit_logs - was.audit_logs]).toEqual([created.status === "fulfilled" ? 1 : 0, 2]);
    if (edited.status === "rejected") expect(await expectOk(await w.a.getInvoice(w.invoice.id))).toEqual(w.invoice);
  });

  it("cancelling the draft releases its deposits (audited), and another invoice can deduct them", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const draft = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    expect((await expectOk(await w.cancel(draft.id))).status).toBe("cancelled");
    expect(await deductedBy(deposit.id)).toBeNull();
    expect((await auditOf(w, deposit.id, "deposit_released")).map((e: { changes: unknown }) => e.changes)).toEqual([{ before: { deducted_by: draft.id }, after: { deducted_by: null } }]);
    const next = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    expect(await deductedBy(deposit.id)).toBe(next.id);
  });

  it("cancelling the issued final invoice (by credit note) releases its deposits", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const final = await expectOk(await w.a.issueInvoice((await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201)).id));
    const cancelled = await expectOk(await w.cancel(final.id));
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.credit_note).toMatchObject({ invoice_number: final.invoice_number });
    expect(await deductedBy(deposit.id)).toBeNull();
    expect(await auditOf(w, deposit.id, "deposit_released")).toHaveLength(1);
    const next = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    expect(next.deposits_amount).toBe(DEPOSIT_TOTAL);
  });
});

describe("depositsStillDeductible, the condition the issue of a final invoice adds to its guard", () => {
  it("holds while the draft's deposits are paid and reserved by it, for the amounts recorded; fails once one is refunded", async () => {
    const w = await depositWorld();
    const deposit = await paidDeposit(w.a, w.dept.id);
    const final = await expectOk(await w.a.createInvoice(w.finalBody([deposit.id])), 201);
    const db = createDb(env.DB);
    const ctx = { db, principal: { partnerId: w.t.partnerId, livemode: false } } as unknown as ServiceContext;
    const row = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0]!;
    const holds = async (invoice: Parameters<typeof depositsStillDeductible>[2]) =>
      (await db.all<{ ok: number }>(sql`SELECT ${depositsStillDeductible(ctx, w.org.id, invoice)} AS ok`))[0]!.ok === 1;

    const draft = await row(final.id);
    expect(await holds(draft)).toBe(true);
    await assertDepositsStillDeductible(ctx, w.org.id, draft);
    // Nothing to deduct: always true.
    expect(await holds(await row(w.invoice.id))).toBe(true);
    // Another invoice, another organization, or another amount: false.
    expect(await holds({ id: w.invoice.id, deducted_deposits: draft.deducted_deposits })).toBe(false);
    expect(await holds({ ...draft, deducted_deposits: draft.deducted_deposits!.map((d) => ({ ...d, amount: d.amount - 1 })) })).toBe(false);
    const otherOrg = { db, principal: { partnerId: w.t.partnerId, livemode: true } } as unknown as ServiceContext;
    expect((await db.all<{ ok: number }>(sql`SELECT ${depositsStillDeductible(otherOrg, w.org.id, draft)} AS ok`))[0]!.ok).toBe(0);

    // The deposit refunded in part: no longer paid, so the final invoice cannot be issued deducting it.
    await expectOk(await call("/v1/refunds", { token: w.t.token, headers: { "x-entity-id": w.org.id }, body: { payment_intent_id: deposit.payment_intent_id, amount: 1000, type: "repayment" } }), 201);
    await quiesce(w.t.partnerId);
    expect(await holds(draft)).toBe(false);
    await expect(assertDepositsStillDeductible(ctx, w.org.id, draft)).rejects.toMatchObject({ code: "deposit_not_paid", param: "deducted_deposits.0" });
  });
});
