import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createPartner, expectOk, type CallResult } from "../helpers/harness";
import {
  api,
  d1Invoice,
  eventsOf,
  expectError,
  intentTransitions,
  invoiceTransitions,
  issuedInvoice,
  ledgerOf,
  link,
  liveToken,
  payableWorld,
  SEED_TOTAL,
  UNKNOWN_INVOICE,
} from "./fixtures";

/**
 * The ledger (table `payments`): one entry per succeeded payment intent, read through
 * GET /v1/payments, /v1/payments/{id} and /v1/invoices/{id}/payments (seed 002), and the
 * invariant that an invoice is never paid more than its total, whatever the concurrency.
 */

const ids = (res: CallResult) => {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.text}`);
  return res.body.data.map((p: { id: string }) => p.id);
};

function parisDate(at: Date | string, days = 0): string {
  const d = new Date(typeof at === "string" ? Date.parse(at) : at.getTime());
  d.setUTCDate(d.getUTCDate() + days);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(d);
}

/** The invariant, read from D1: money on the invoice = the ledger, never above the total. */
async function expectNeverOverpaid(invoiceId: string) {
  const invoice = await d1Invoice(invoiceId);
  const ledger = await ledgerOf(invoiceId);
  const sum = ledger.reduce((s: number, p: { amount: number }) => s + p.amount, 0);
  expect(invoice.amount_paid).toBe(sum);
  expect(invoice.amount_paid).toBeLessThanOrEqual(invoice.total_amount);
  expect(invoice.amount_due).toBe(invoice.total_amount - invoice.amount_paid);
  const active = await env.DB.prepare("SELECT coalesce(sum(amount), 0) AS n FROM payment_links WHERE invoice_id = ? AND status = 'active'").bind(invoiceId).first<{ n: number }>();
  expect(invoice.amount_paid + active!.n).toBeLessThanOrEqual(invoice.total_amount);
  return { invoice, ledger };
}

describe("GET /v1/payments and /v1/payments/{id}", () => {
  it("shows a succeeded payment as a ledger entry in seed 002's shape", async () => {
    const { api: a, issued, dept } = await payableWorld();
    const l = await link(a, issued.id);
    const intent = await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));

    const list = await expectOk(await a.listPayments());
    expect(list.pagination).toEqual({ page: 1, page_size: 20, total_items: 1, total_pages: 1 });
    const [payment] = list.data;
    // Seed 002: amount (cents), currency, status "completed", method, paid_at — in our snake_case.
    expect(payment).toEqual({
      id: `pay-${l.payment_intent_id.slice(3)}`,
      object: "payment",
      livemode: false,
      // Written pending when the intent went pending (1), completed when it succeeded (2).
      version: 2,
      organization_id: a.orgId,
      source: "online",
      invoice_id: issued.id,
      department_id: dept.id,
      payment_intent_id: l.payment_intent_id,
      payment_link_id: l.id,
      amount: SEED_TOTAL,
      refunded_amount: 0,
      currency: "EUR",
      method: "sepa_credit",
      status: "completed",
      reference: null,
      note: null,
      paid_at: intent.completed_at,
      voided_at: null,
      void_reason: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await a.getPayment(payment.id)).body).toEqual(payment);
    expect((await a.invoicePayments(issued.id)).body).toEqual({ data: [payment] });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0, paid_at: intent.completed_at });
    const invoice = await expectOk(await a.getInvoice(issued.id));
    expect(invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
  });

  it("answers 404 for an unknown payment, another partner's, and the live mode's", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    const [payment] = (await expectOk(await a.listPayments())).data;
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).getPayment(payment.id), 404, { code: "resource_missing" });
    expectError(await api(stranger.token, a.orgId).listPayments(), 404, { code: "resource_missing" });
    expectError(await api(await liveToken(t), a.orgId).getPayment(payment.id), 404, { code: "resource_missing" });
    expectError(await a.getPayment("pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"), 404, { code: "resource_missing", param: "id" });
    expectError(await a.getPayment(l.payment_intent_id), 404, { code: "resource_missing", param: "id" });
    // A failed transfer is listed as a failed payment (seed 002), apart from the money received.
    const other = await issuedInvoice(a, (await env.DB.prepare("SELECT department_id FROM invoices WHERE id = ?").bind(issued.id).first<{ department_id: string }>())!.department_id);
    const failed = await link(a, other.id);
    await expectOk(await a.simulate(failed.payment_intent_id, "insufficient_funds"));
    expect(ids(await a.listPayments("status=completed"))).toEqual([payment.id]);
    expect((await expectOk(await a.listPayments("status=failed"))).data).toMatchObject([{ payment_intent_id: failed.payment_intent_id, status: "failed", amount: 42200 }]);
  });

  it("filters by status, invoice_id, method and Paris dates (from_date, to_date inclusive), newest first, paginated", async () => {
    const { api: a, issued, dept } = await payableWorld();
    const other = await issuedInvoice(a, dept.id);
    const byCard = await link(a, issued.id, { amount: 20000, payment_methods: ["card"] });
    const byBank = await link(a, issued.id, { payment_methods: ["sepa_credit"] });
    const third = await link(a, other.id, { payment_methods: ["sepa_credit"] });
    const p1 = await expectOk(await a.simulate(byCard.payment_intent_id, "succeeded"));
    const p2 = await expectOk(await a.simulate(byBank.payment_intent_id, "succeeded"));
    const p3 = await expectOk(await a.simulate(third.payment_intent_id, "succeeded"));
    const pay = (pi: string) => `pay-${pi.slice(3)}`;
    const [id1, id2, id3] = [p1, p2, p3].map((p) => pay(p.id));

    expect(ids(await a.listPayments())).toEqual([id3, id2, id1]);
    expect(ids(await a.listPayments("status=completed"))).toEqual([id3, id2, id1]);
    expect(ids(await a.listPayments("status=refunded"))).toEqual([]);
    expect(ids(await a.listPayments(`invoice_id=${issued.id}`))).toEqual([id2, id1]);
    expect(ids(await a.listPayments("method=card"))).toEqual([id1]);
    expect(ids(await a.listPayments(`method=sepa_credit&invoice_id=${issued.id}`))).toEqual([id2]);

    const today = parisDate(p1.completed_at);
    expect(ids(await a.listPayments(`from_date=${today}&to_date=${today}`))).toEqual([id3, id2, id1]);
    expect(ids(await a.listPayments(`to_date=${parisDate(p1.completed_at, -1)}`))).toEqual([]);
    expect(ids(await a.listPayments(`from_date=${parisDate(p1.completed_at, 1)}`))).toEqual([]);
    // Instants: both bounds inclusive.
    expect(ids(await a.listPayments(`from_date=${encodeURIComponent(p2.completed_at)}`))).toEqual([id3, id2]);
    expect(ids(await a.listPayments(`to_date=${encodeURIComponent(p2.completed_at)}`))).toEqual([id2, id1]);

    const page = await expectOk(await a.listPayments("page=2&page_size=2"));
    expect(page.data.map((p: { id: string }) => p.id)).toEqual([id1]);
    expect(page.pagination).toEqual({ page: 2, page_size: 2, total_items: 3, total_pages: 2 });

    expectError(await a.listPayments("method=bitcoin"), 400, { param: "method" });
    expectError(await a.listPayments("status=paid"), 400, { param: "status" });
    expectError(await a.listPayments("from_date=01/02/2026"), 400, { param: "from_date" });
  });

  it("reads dates in Europe/Paris: 00:30 in Paris on 1 February is 1 February, not 31 January", async () => {
    const { api: a, issued } = await payableWorld();
    const l = await link(a, issued.id);
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    const id = `pay-${l.payment_intent_id.slice(3)}`;
    // Moved in the ledger to 2026-01-31T23:30Z, i.e. 00:30 on 1 February in Paris (UTC+1).
    await env.DB.prepare("UPDATE payments SET paid_at = '2026-01-31T23:30:00.000Z' WHERE id = ?").bind(id).run();
    expect(ids(await a.listPayments("from_date=2026-02-01&to_date=2026-02-01"))).toEqual([id]);
    expect(ids(await a.listPayments("to_date=2026-01-31"))).toEqual([]);
    expect(ids(await a.listPayments("from_date=2026-01-31&to_date=2026-01-31"))).toEqual([]);
    // Summer time (UTC+2): 2026-07-14T22:30Z is 00:30 on 15 July in Paris.
    await env.DB.prepare("UPDATE payments SET paid_at = '2026-07-14T22:30:00.000Z' WHERE id = ?").bind(id).run();
    expect(ids(await a.listPayments("from_date=2026-07-15"))).toEqual([id]);
    expect(ids(await a.listPayments("to_date=2026-07-14"))).toEqual([]);
  });
});

describe("GET /v1/invoices/{id}/payments: partial payments", () => {
  it("two links of 20 000 and 22 200: partially_paid after the first, paid after the second, two entries adding up", async () => {
    const { t, api: a, issued } = await payableWorld();
    const first = await link(a, issued.id, { amount: 20000, payment_methods: ["card"] });
    const second = await link(a, issued.id, { payment_methods: ["sepa_credit"] });
    expect(second.amount).toBe(22200);
    expect((await a.invoicePayments(issued.id)).body).toEqual({ data: [] });

    await expectOk(await a.simulate(first.payment_intent_id, "succeeded"));
    expect((await a.getInvoice(issued.id)).body).toMatchObject({ status: "partially_paid", amount_paid: 20000, amount_due: 22200 });
    expect((await d1Invoice(issued.id)).paid_at).toBeNull();
    // The second link still holds what is due: no room for a third.
    expectError(await a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }), 422, { code: "nothing_left_to_pay" });

    await expectOk(await a.simulate(second.payment_intent_id, "succeeded"));
    const invoice = await expectOk(await a.getInvoice(issued.id));
    expect(invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });

    const payments = (await expectOk(await a.invoicePayments(issued.id))).data;
    expect(payments.map((p: { amount: number; method: string; status: string }) => [p.amount, p.method, p.status])).toEqual([
      [20000, "card", "completed"],
      [22200, "sepa_credit", "completed"],
    ]);
    expect(payments.reduce((s: number, p: { amount: number }) => s + p.amount, 0)).toBe(invoice.total_amount);
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→partially_paid", "partially_paid→paid"]);
    const paidEvent = (await eventsOf(t.partnerId, "invoice.status_changed")).at(-1)!;
    expect(paidEvent.data).toMatchObject({ invoice_id: issued.id, previous_status: "partially_paid", current_status: "paid", invoice: { amount_paid: SEED_TOTAL, amount_due: 0 } });
    expectError(await a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }), 409, { code: "invoice_not_payable" });
  });

  it("answers 404 for an unknown or foreign invoice", async () => {
    const { api: a, issued } = await payableWorld();
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).invoicePayments(issued.id), 404, { code: "resource_missing" });
    expectError(await a.invoicePayments(UNKNOWN_INVOICE), 404, { code: "resource_missing", param: "id" });
  });

  it("an overdue invoice is paid: overdue → partially_paid → paid", async () => {
    const { t, api: a, issued } = await payableWorld({ dueDate: "2030-01-10" });
    expect((await expectOk(await a.sweep("2030-01-11"))).invoices_marked_overdue).toBe(1);
    expect((await a.getInvoice(issued.id)).body.status).toBe("overdue");

    const part = await link(a, issued.id, { amount: 10000 });
    await expectOk(await a.simulate(part.payment_intent_id, "succeeded"));
    expect((await a.getInvoice(issued.id)).body).toMatchObject({ status: "partially_paid", amount_paid: 10000, amount_due: 32200 });
    const rest = await link(a, issued.id);
    expect(rest.amount).toBe(32200);
    await expectOk(await a.simulate(rest.payment_intent_id, "succeeded"));
    expect((await a.getInvoice(issued.id)).body).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→overdue", "overdue→partially_paid", "partially_paid→paid"]);
  });

  it("an overdue invoice paid at once goes straight to paid", async () => {
    const { t, api: a, issued } = await payableWorld({ dueDate: "2030-01-10" });
    await expectOk(await a.sweep("2030-01-11"));
    const l = await link(a, issued.id);
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    expect((await a.getInvoice(issued.id)).body).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→overdue", "overdue→paid"]);
  });
});

describe("concurrent payments on one invoice never overpay", () => {
  it("two links adding up to the amount due, each paid several times in parallel, with extra links attempted meanwhile", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l1 = await link(a, issued.id, { amount: 20000 });
    const l2 = await link(a, issued.id);
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => a.simulate(l1.payment_intent_id, "succeeded")),
      ...Array.from({ length: 3 }, () => a.simulate(l2.payment_intent_id, "succeeded")),
      ...Array.from({ length: 4 }, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"] })),
      ...Array.from({ length: 4 }, () => a.createLink({ invoice_id: issued.id, payment_methods: ["card"], amount: 1 })),
    ]);
    for (const r of results) expect(r.status, r.text).toBeLessThan(500);
    const simulations = results.slice(0, 6);
    const extraLinks = results.slice(6);
    // Each simulation either saw the payment through or found it already moving/done.
    for (const r of simulations) {
      if (r.status === 200) expect(r.body.status).toBe("succeeded");
      else expectError(r, 409, { type: "conflict_error" });
    }
    for (const r of extraLinks) {
      expect([409, 422], r.text).toContain(r.status);
      expect(["invoice_not_payable", "nothing_left_to_pay"]).toContain(r.body.error.code);
    }

    const { invoice, ledger } = await expectNeverOverpaid(issued.id);
    expect(invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(ledger.map((p: { amount: number }) => p.amount).sort()).toEqual([20000, 22200]);
    const toPaid = (await eventsOf(t.partnerId, "invoice.status_changed")).filter((e) => e.data.current_status === "paid");
    expect(toPaid).toHaveLength(1);
    for (const l of [l1, l2]) {
      expect(await intentTransitions(t.partnerId, l.payment_intent_id)).toEqual(["created→pending", "pending→processing", "processing→succeeded"]);
      expect((await a.getLink(l.id)).body.status).toBe("completed");
    }
    expect((await expectOk(await a.listLinks(`invoice_id=${issued.id}`))).data).toHaveLength(2);
  });

  it("six partial links paid at once: the invoice ends paid, once, through one partially_paid", async () => {
    const { t, api: a, issued } = await payableWorld();
    const links = [];
    for (const amount of [7000, 7000, 7000, 7000, 7000, 7200]) links.push(await link(a, issued.id, { amount }));
    const results = await Promise.all(links.map((l) => a.simulate(l.payment_intent_id, "succeeded")));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));

    const { invoice, ledger } = await expectNeverOverpaid(issued.id);
    expect(invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect(ledger).toHaveLength(6);
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→partially_paid", "partially_paid→paid"]);
  });

  it("revoking, paying and re-linking at the same time never leaves more than the total payable", async () => {
    for (let round = 0; round < 3; round++) {
      const { api: a, issued } = await payableWorld();
      const l = await link(a, issued.id);
      const results = await Promise.all([
        a.simulate(l.payment_intent_id, "succeeded"),
        a.revokeLink(l.id),
        a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }),
        a.createLink({ invoice_id: issued.id, payment_methods: ["card"] }),
      ]);
      for (const r of results) expect(r.status, r.text).toBeLessThan(500);
      const [paid, revoked] = results;
      // Exactly one of paying and revoking won.
      expect([paid!.status, revoked!.status].filter((s) => s === 200), `round ${round}`).toHaveLength(1);

      // Whatever won, pay every link still active: the invoice can only ever reach its total.
      const active = (await expectOk(await a.listLinks(`invoice_id=${issued.id}&status=active`))).data;
      await Promise.all(active.map((x: { payment_intent_id: string }) => a.simulate(x.payment_intent_id, "succeeded")));
      const { invoice } = await expectNeverOverpaid(issued.id);
      expect(invoice.amount_paid).toBeLessThanOrEqual(SEED_TOTAL);
    }
  });
});
