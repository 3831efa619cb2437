import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SANDBOX_REFUND_SETTLE_MS } from "../../src/providers/sandbox-refund";
import { accessToken, call, expectOk, issueCredential, seedInvoiceBody, VALID_ORGANIZATION, type CallResult } from "../helpers/harness";
import {
  api,
  d1Intent,
  d1Invoice,
  eventsOf,
  eventually,
  expectError,
  intentStub,
  tenantOf,
  intentTransitions,
  invoiceTransitions,
  ledgerOf,
  link,
  liveToken,
  objectStorage,
  payableWorld,
  SEED_TOTAL,
  setObjectClock,
  UNKNOWN_INTENT,
} from "./fixtures";
import { d1Refunds, holdRefunds, objectRefunds, paidWorld, refundApi, refundRowCounts, settleRefundsNow, SMALL_LINE, SMALL_TOTAL } from "./refund-fixtures";

/**
 * Refunds (seed 001 "Remboursements", DESIGN.md §2 and §4): created in the payment intent's
 * Durable Object, whose one synchronous transaction checks the balance (pending refunds count)
 * and records the refund; settled by the sandbox provider (`pending → succeeded | failed`);
 * projected to D1 with the intent's refunded amount, the ledger entry and the invoice.
 */

const UNKNOWN_REFUND = "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function created(res: CallResult) {
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.text}`);
  return res.body;
}

/** The refund as the API shows it once it succeeded. */
async function expectRefund(r: ReturnType<typeof refundApi>, id: string, fields: Record<string, unknown>) {
  const body = await expectOk(await r.get(id));
  expect(body).toMatchObject(fields);
  return body;
}

describe("POST /v1/refunds — seed 001 \"Remboursements\"", () => {
  // Seed 001's bodies with `type: "repayment"`: money returned, the price stands (issue 12). The
  // same bodies without a type are price reductions on a paid invoice: test/payments/refund-types.test.ts.
  it("total refund as a repayment (no amount): the whole 42 200, pending, then succeeded; the intent refunded, the invoice back to issued", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });

    const res = await r.create({ payment_intent_id: pi, reason: "Facture annulée suite à erreur de facturation", type: "repayment" });
    const refund = created(res);
    await holdRefunds(pi);
    expect(refund).toEqual({
      id: expect.stringMatching(/^ref-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      object: "refund",
      livemode: false,
      payment_intent_id: pi,
      amount: SEED_TOTAL,
      currency: "EUR",
      status: "pending",
      reason: "Facture annulée suite à erreur de facturation",
      type: "repayment",
      credit_note_id: null,
      failure_code: null,
      pending_reason: null,
      version: 1,
      created_at: expect.stringMatching(ISO),
      completed_at: null,
    });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    // Pending: nothing moved yet on the intent, the ledger or the invoice.
    expect(await expectOk(await r.get(refund.id))).toEqual(refund);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "succeeded", refunded_amount: 0, amount_received: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });

    await settleRefundsNow(pi);
    const done = await expectRefund(r, refund.id, { status: "succeeded", amount: SEED_TOTAL, failure_code: null });
    expect(done.completed_at).toMatch(ISO);
    expect(Date.parse(done.completed_at)).toBeGreaterThanOrEqual(Date.parse(refund.created_at));
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SEED_TOTAL, amount_received: SEED_TOTAL });
    const inv = await expectOk(await a.getInvoice(invoice.id));
    expect(inv).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL, paid_at: null });
    const [payment] = await ledgerOf(invoice.id);
    expect(payment).toMatchObject({ payment_intent_id: pi, amount: SEED_TOTAL, refunded_amount: SEED_TOTAL, status: "refunded" });
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid", "paid→issued"]);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded", "succeeded→refunded"]);
  });

  it("partial 10 000 then 5 000 as repayments: the list in seed 001's shape, the invoice partially paid", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();

    const first = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€", type: "repayment" }));
    await holdRefunds(pi);
    expect(first).toMatchObject({ amount: 10000, status: "pending", reason: "Remise commerciale de 100€", completed_at: null });
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "partially_refunded", refunded_amount: 10000 });
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "partially_paid", amount_paid: 32200, amount_due: 10000 });

    // The invoice is no longer paid in full: a reason alone makes a repayment.
    const second = created(await r.create({ payment_intent_id: pi, amount: 5000, reason: "Geste commercial" }));
    expect(second.type).toBe("repayment");
    await holdRefunds(pi);
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "partially_refunded", refunded_amount: 15000 });
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "partially_paid", amount_paid: 27200, amount_due: 15000 });
    const [payment] = await ledgerOf(invoice.id);
    expect(payment).toMatchObject({ amount: SEED_TOTAL, refunded_amount: 15000, status: "partially_refunded" });

    // "Suivi des remboursements": oldest first, with the seed's fields.
    const list = await expectOk(await r.ofIntent(pi));
    expect(Object.keys(list)).toEqual(["data"]);
    expect(list.data).toHaveLength(2);
    expect(list.data.map((x: Record<string, unknown>) => ({ id: x.id, amount: x.amount, status: x.status, reason: x.reason }))).toEqual([
      { id: first.id, amount: 10000, status: "succeeded", reason: "Remise commerciale de 100€" },
      { id: second.id, amount: 5000, status: "succeeded", reason: "Geste commercial" },
    ]);
    for (const x of list.data) {
      expect(x.created_at).toMatch(ISO);
      expect(x.completed_at).toMatch(ISO);
      expect(x).toMatchObject({ object: "refund", payment_intent_id: pi, currency: "EUR", livemode: false, failure_code: null, type: "repayment", credit_note_id: null });
      expect(await expectOk(await r.get(x.id))).toEqual(x);
    }
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid", "paid→partially_paid"]);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded", "succeeded→partially_refunded"]);
  });

  it("several partials up to the limit; one cent over → 422 amount_exceeds_refundable naming what remains, before and after they settle", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    for (const amount of [20000, 12200]) {
      created(await r.create({ payment_intent_id: pi, amount }));
      await holdRefunds(pi);
    }
    const before = await refundRowCounts(t.partnerId);
    const over = await r.create({ payment_intent_id: pi, amount: 10001 });
    expectError(over, 422, { type: "business_rule_error", code: "amount_exceeds_refundable", param: "amount" });
    expect(over.body.error.message).toBe(`The refund asks 10001 cents; only 10000 cents of this payment remain refundable (of ${SEED_TOTAL} received).`);
    expect(await refundRowCounts(t.partnerId)).toEqual(before);

    created(await r.create({ payment_intent_id: pi, amount: 10000 }));
    await holdRefunds(pi);
    const oneCent = await r.create({ payment_intent_id: pi, amount: 1 });
    expectError(oneCent, 422, { code: "amount_exceeds_refundable" });
    expect(oneCent.body.error.message).toBe(
      `This payment has nothing left to refund: all ${SEED_TOTAL} cents received are refunded or being refunded (a pending refund counts until it settles or fails).`,
    );
    expectError(await r.create({ payment_intent_id: pi }), 422, { code: "amount_exceeds_refundable" });

    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
    expect((await d1Refunds(pi)).map((x) => [x.amount, x.status])).toEqual([
      [20000, "succeeded"],
      [12200, "succeeded"],
      [10000, "succeeded"],
    ]);
    // Settled or not, asking for more than what remains is the same business rule.
    const afterSettled = await r.create({ payment_intent_id: pi, amount: 1 });
    expectError(afterSettled, 422, { code: "amount_exceeds_refundable" });
    expect(afterSettled.body.error.message).toMatch(/^This payment has nothing left to refund: all 42200 cents received are refunded/);
    expect((await d1Refunds(pi))).toHaveLength(3);
    // Each settlement moved the invoice once: paid → partially_paid → issued.
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid", "paid→partially_paid", "partially_paid→issued"]);
    expect(await intentTransitions(t.partnerId, pi)).toEqual([
      "created→pending",
      "pending→processing",
      "processing→succeeded",
      "succeeded→partially_refunded",
      "partially_refunded→refunded",
    ]);
  });

  it("no amount on a partially refunded intent refunds exactly the remainder", async () => {
    const { api: a, invoice, pi, refunds: r } = await paidWorld();
    created(await r.create({ payment_intent_id: pi, amount: 12345 }));
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "partially_refunded", refunded_amount: 12345 });

    const rest = created(await r.create({ payment_intent_id: pi, reason: "Solde" }));
    expect(rest).toMatchObject({ amount: SEED_TOTAL - 12345, status: "pending", reason: "Solde" });
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
    expect((await ledgerOf(invoice.id))[0]).toMatchObject({ refunded_amount: SEED_TOTAL, status: "refunded" });
  });

  it("a pending refund counts against the balance; the same refund failing releases it", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    const pending = created(await r.create({ payment_intent_id: pi, amount: 40000 }));
    await holdRefunds(pi);
    expect((await r.get(pending.id)).body.status).toBe("pending");

    // 2 200 remain while the 40 000 is pending: 2 201 is refused, and nothing is written.
    const before = await refundRowCounts(t.partnerId);
    const storageBefore = await objectStorage(pi);
    const refused = await r.create({ payment_intent_id: pi, amount: 2201 });
    expectError(refused, 422, { code: "amount_exceeds_refundable" });
    expect(refused.body.error.message).toContain("2200");
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
    expect(await objectStorage(pi)).toEqual(storageBefore);
    // A refund without amount takes what remains beside the pending one.
    const rest = created(await r.create({ payment_intent_id: pi }));
    expect(rest.amount).toBe(2200);
    await holdRefunds(pi);
    expectError(await r.create({ payment_intent_id: pi, amount: 1 }), 422, { code: "amount_exceeds_refundable" });

    // The provider fails the 40 000: released, the intent and the invoice untouched.
    const failed = await expectOk(await r.simulate(pending.id, "failed"));
    expect(failed).toMatchObject({ id: pending.id, status: "failed", failure_code: "refund_failed", completed_at: null, amount: 40000 });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "succeeded", refunded_amount: 0 });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });
    expect((await ledgerOf(invoice.id))[0]).toMatchObject({ refunded_amount: 0, status: "completed" });

    // 40 000 is refundable again (2 200 still pending), not a cent more.
    const over = await r.create({ payment_intent_id: pi, amount: 40001 });
    expectError(over, 422, { code: "amount_exceeds_refundable" });
    expect(over.body.error.message).toContain("40000");
    const again = created(await r.create({ payment_intent_id: pi, amount: 40000 }));
    await settleRefundsNow(pi);
    expect(await expectOk(await r.get(again.id))).toMatchObject({ status: "succeeded" });
    expect(await expectOk(await r.get(rest.id))).toMatchObject({ status: "succeeded" });
    expect(await expectOk(await r.get(pending.id))).toMatchObject({ status: "failed" }); // its stale timer changed nothing
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SEED_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
  });

  it("a total repayment of a paid invoice whose due date has passed returns it to overdue", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld({ dueDate: "2024-03-31" });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });
    created(await r.create({ payment_intent_id: pi, reason: "Facture annulée suite à erreur de facturation", type: "repayment" }));
    await settleRefundsNow(pi);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "overdue", amount_paid: 0, amount_due: SEED_TOTAL, due_date: "2024-03-31" });
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid", "paid→overdue"]);
  });

  it("settles on its own in the sandbox, SANDBOX_REFUND_SETTLE_MS after it was made", async () => {
    const { api: a, invoice, pi, refunds: r } = await paidWorld();
    // The object's clock, not a wait, brings the settlement: stopped ahead of real time, then moved.
    const madeAt = Date.now() + 60_000;
    await setObjectClock(pi, madeAt);
    const refund = created(await r.create({ payment_intent_id: pi, amount: 2200 }));
    const settlesAt = madeAt + SANDBOX_REFUND_SETTLE_MS;
    expect(SANDBOX_REFUND_SETTLE_MS).toBeLessThanOrEqual(5_000);
    // The object answered before projecting; once that landed, the alarm is the settlement's.
    const armed = await eventually(
      () => objectStorage(pi),
      (x) => x.outbox.length === 0,
    );
    expect(armed.timers).toContainEqual({ kind: "refund_settle", refundId: refund.id, outcome: "succeeded", due_at: settlesAt });
    expect(armed.alarm).toBe(settlesAt);

    await setObjectClock(pi, settlesAt - 1);
    expect(await runDurableObjectAlarm(intentStub(pi))).toBe(true);
    expect((await r.get(refund.id)).body.status).toBe("pending");

    await setObjectClock(pi, settlesAt);
    expect(await runDurableObjectAlarm(intentStub(pi))).toBe(true);
    const settled = (await r.get(refund.id)).body;
    expect(settled).toMatchObject({ status: "succeeded", amount: 2200 });
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "partially_refunded", refunded_amount: 2200 });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "partially_paid", amount_paid: 40000, amount_due: 2200 });
  });
});

describe("what a refund writes: events, audit, ledger", () => {
  it("writes refund.created, then refund.status_changed, payment_intent.status_changed and invoice.status_changed, in order, with their data", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const paymentEvents = (await eventsOf(t.partnerId)).length;

    const partial = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€", type: "repayment" }));
    await holdRefunds(pi);
    await expectOk(await r.simulate(partial.id, "succeeded"));
    const total = created(await r.create({ payment_intent_id: pi }));
    await holdRefunds(pi);
    await expectOk(await r.simulate(total.id, "succeeded"));

    const written = (await eventsOf(t.partnerId)).slice(paymentEvents);
    expect(written.map((e) => e.type)).toEqual([
      "refund.created",
      "refund.status_changed",
      "payment_intent.status_changed",
      "invoice.status_changed",
      "refund.created",
      "refund.status_changed",
      "payment_intent.status_changed",
      "invoice.status_changed",
    ]);
    const [created1, settled1, intent1, invoice1, created2, settled2, intent2, invoice2] = written;
    expect(created1!.data).toEqual({ refund_id: partial.id, refund: partial });
    expect(settled1!.data).toMatchObject({
      refund_id: partial.id,
      previous_status: "pending",
      current_status: "succeeded",
      refund: { id: partial.id, status: "succeeded", amount: 10000, completed_at: expect.stringMatching(ISO) },
    });
    expect(intent1!.data).toMatchObject({
      payment_intent_id: pi,
      previous_status: "succeeded",
      current_status: "partially_refunded",
      payment_intent: { id: pi, status: "partially_refunded", refunded_amount: 10000, amount_received: SEED_TOTAL },
    });
    expect(invoice1!.data).toMatchObject({
      invoice_id: invoice.id,
      previous_status: "paid",
      current_status: "partially_paid",
      invoice: { id: invoice.id, status: "partially_paid", amount_paid: 32200, amount_due: 10000, total_amount: SEED_TOTAL },
    });
    expect(created2!.data).toMatchObject({ refund_id: total.id, refund: { amount: 32200, status: "pending" } });
    expect(settled2!.data).toMatchObject({ refund_id: total.id, previous_status: "pending", current_status: "succeeded" });
    expect(intent2!.data).toMatchObject({
      previous_status: "partially_refunded",
      current_status: "refunded",
      payment_intent: { status: "refunded", refunded_amount: SEED_TOTAL },
    });
    expect(invoice2!.data).toMatchObject({ previous_status: "partially_paid", current_status: "issued", invoice: { status: "issued", amount_paid: 0, amount_due: SEED_TOTAL } });

    // Every event belongs to the organization, in test mode.
    const rows = await env.DB.prepare(`SELECT DISTINCT organization_id, livemode FROM events WHERE id IN (${written.map(() => "?").join(",")})`)
      .bind(...written.map((e) => e.id))
      .all();
    expect(rows.results).toEqual([{ organization_id: org.id, livemode: 0 }]);
    // The API reads agree with the events.
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SEED_TOTAL });
  });

  it("a failed refund writes refund.status_changed pending→failed only: no intent, invoice or ledger change", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 5000 }));
    await holdRefunds(pi);
    const before = await eventsOf(t.partnerId);
    const intentBefore = await d1Intent(pi);
    const invoiceBefore = await d1Invoice(invoice.id);

    await expectOk(await r.simulate(refund.id, "failed"));
    const after = await eventsOf(t.partnerId);
    expect(after.slice(before.length).map((e) => e.type)).toEqual(["refund.status_changed"]);
    expect(after.at(-1)!.data).toMatchObject({ refund_id: refund.id, previous_status: "pending", current_status: "failed", refund: { status: "failed", failure_code: "refund_failed" } });
    expect(await d1Intent(pi)).toEqual(intentBefore);
    expect(await d1Invoice(invoice.id)).toEqual(invoiceBefore);
    expect((await ledgerOf(invoice.id))[0]).toMatchObject({ refunded_amount: 0, status: "completed" });
    expect((await a.listPayments("status=completed")).body.data).toHaveLength(1);
  });

  it("audits the refund (created, status_changed), the intent (refunded) and the invoice, with who and which request", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld();
    const res = await r.create({ payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€", type: "repayment" });
    const refund = created(res);
    await holdRefunds(pi);
    const sim = await r.simulate(refund.id, "succeeded");
    expect(sim.status).toBe(200);

    const refundAudit = await expectOk(await r.auditLogs(`resource_type=refund&resource_id=${refund.id}`));
    expect(refundAudit.data.map((x: { action: string }) => x.action)).toEqual(["created", "status_changed"]);
    const [createdEntry, settledEntry] = refundAudit.data;
    expect(createdEntry).toMatchObject({
      resource_type: "refund",
      resource_id: refund.id,
      organization_id: a.orgId,
      user_type: "partner",
      user_id: t.credential.id,
      request_id: res.headers.get("x-request-id"),
      changes: { before: null, after: { id: refund.id, amount: 10000, status: "pending", reason: "Remise commerciale de 100€" } },
    });
    expect(settledEntry).toMatchObject({
      user_type: "partner",
      request_id: sim.headers.get("x-request-id"),
      changes: { before: { status: "pending" }, after: { status: "succeeded", failure_code: null } },
    });

    const intentAudit = await expectOk(await r.auditLogs(`resource_type=payment_intent&resource_id=${pi}&action=refunded`));
    expect(intentAudit.data).toHaveLength(1);
    expect(intentAudit.data[0]).toMatchObject({
      user_type: "partner",
      request_id: sim.headers.get("x-request-id"),
      changes: { before: { status: "succeeded" }, after: { status: "partially_refunded" } },
    });

    const invoiceAudit = (await expectOk(await r.auditLogs(`resource_type=invoice&resource_id=${invoice.id}&action=status_changed`))).data;
    expect(invoiceAudit.at(-1)).toMatchObject({
      changes: { before: { status: "paid", amount_paid: SEED_TOTAL }, after: { status: "partially_paid", amount_paid: 32200, payment_intent_id: pi, refund_id: refund.id } },
    });
  });

  it("the settlement the sandbox makes by itself is audited as the system", async () => {
    const { pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 100 }));
    await settleRefundsNow(pi);
    const audit = await expectOk(await r.auditLogs(`resource_type=refund&resource_id=${refund.id}&action=status_changed`));
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ user_type: "system", user_id: "payment-intent", changes: { after: { status: "succeeded" } } });
  });

  it("GET /v1/payments shows refunded payments as refunded, partly refunded ones as partially_refunded", async () => {
    const { api: a, dept, invoice, pi, refunds: r } = await paidWorld();
    // A second paid invoice, partly refunded.
    const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
    const other = await expectOk(await a.issueInvoice(draft.id));
    const otherLink = await link(a, other.id);
    await expectOk(await a.simulate(otherLink.payment_intent_id, "succeeded"));

    created(await r.create({ payment_intent_id: pi }));
    created(await r.create({ payment_intent_id: otherLink.payment_intent_id, amount: 200 }));
    await settleRefundsNow(pi);
    await settleRefundsNow(otherLink.payment_intent_id);

    const refunded = await expectOk(await a.listPayments("status=refunded"));
    expect(refunded.data).toHaveLength(1);
    expect(refunded.data[0]).toMatchObject({ payment_intent_id: pi, invoice_id: invoice.id, amount: SEED_TOTAL, refunded_amount: SEED_TOTAL, status: "refunded" });
    const partly = await expectOk(await a.listPayments("status=partially_refunded"));
    expect(partly.data).toHaveLength(1);
    expect(partly.data[0]).toMatchObject({ payment_intent_id: otherLink.payment_intent_id, amount: SEED_TOTAL, refunded_amount: 200, status: "partially_refunded" });
    expect((await a.listPayments("status=completed")).body.data).toEqual([]);
    expect(await expectOk(await a.getPayment(refunded.data[0].id))).toEqual(refunded.data[0]);
    expect((await a.invoicePayments(other.id)).body.data).toEqual(partly.data);
    expect(await d1Invoice(other.id)).toMatchObject({ status: "partially_paid", amount_paid: SEED_TOTAL - 200, amount_due: 200 });
  });
});

describe("refused refunds write nothing", () => {
  it("an intent that has not succeeded (created, canceled, failed) → 409 payment_intent_not_refundable", async () => {
    const { t, api: a, issued } = await payableWorld();
    const r = refundApi(a);
    const fresh = await link(a, issued.id, { amount: 10000 });
    const revoked = await link(a, issued.id, { amount: 10000 });
    await expectOk(await a.revokeLink(revoked.id));
    const failed = await link(a, issued.id, { amount: 10000 });
    await expectOk(await a.simulate(failed.payment_intent_id, "insufficient_funds"));
    expect((await a.getIntent(failed.payment_intent_id)).body.status).toBe("failed");

    const before = await refundRowCounts(t.partnerId);
    for (const [l, status] of [
      [fresh, "created"],
      [revoked, "canceled"],
      [failed, "failed"],
    ] as const) {
      expect((await a.getIntent(l.payment_intent_id)).body.status).toBe(status);
      const storage = await objectStorage(l.payment_intent_id);
      const res = await r.create({ payment_intent_id: l.payment_intent_id });
      expectError(res, 409, { type: "conflict_error", code: "payment_intent_not_refundable", param: "payment_intent_id" });
      expect(res.body.error.message).toContain(status);
      expectError(await r.create({ payment_intent_id: l.payment_intent_id, amount: 100 }), 409, { code: "payment_intent_not_refundable" });
      expect(await objectStorage(l.payment_intent_id)).toEqual(storage);
      expect(await objectRefunds(l.payment_intent_id)).toEqual([]);
      expect((await r.ofIntent(l.payment_intent_id)).body).toEqual({ data: [] });
    }
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0 });
  });

  it("bad input → 400 (zero, negative, non-integer, not a number, reason over 500 characters, unknown field); unknown intent → 404", async () => {
    const { t, pi, refunds: r } = await paidWorld();
    const before = await refundRowCounts(t.partnerId);
    const storage = await objectStorage(pi);
    const cases: [unknown, string][] = [
      [{ payment_intent_id: pi, amount: 0 }, "amount"],
      [{ payment_intent_id: pi, amount: -100 }, "amount"],
      [{ payment_intent_id: pi, amount: 100.5 }, "amount"],
      [{ payment_intent_id: pi, amount: "100" }, "amount"],
      [{ payment_intent_id: pi, amount: null }, "amount"],
      [{ payment_intent_id: pi, reason: "x".repeat(501) }, "reason"],
      [{ payment_intent_id: pi, reason: "" }, "reason"],
      [{ payment_intent_id: pi, currency: "EUR" }, ""],
      [{ amount: 100 }, "payment_intent_id"],
      [{ payment_intent_id: 42 }, "payment_intent_id"],
    ];
    for (const [body, param] of cases) {
      const res = await r.create(body);
      expect(res.status, `${JSON.stringify(body).slice(0, 80)} → ${res.text}`).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error" });
      if (param) expect(JSON.stringify(res.body.error), JSON.stringify(body).slice(0, 80)).toContain(param);
    }
    expectError(await r.create({ payment_intent_id: UNKNOWN_INTENT, amount: 100 }), 404, { code: "resource_missing", param: "payment_intent_id" });
    expectError(await r.create({ payment_intent_id: "pi-not-an-id" }), 404, { code: "resource_missing", param: "payment_intent_id" });
    expectError(await r.create({ payment_intent_id: "pl-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }), 404, { code: "resource_missing" });
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
    expect(await objectStorage(pi)).toEqual(storage);

    // The boundary itself is fine: 500 characters, 1 cent.
    const longest = created(await r.create({ payment_intent_id: pi, amount: 1, reason: "é".repeat(500) }));
    expect(longest).toMatchObject({ amount: 1, reason: "é".repeat(500) });
  });

  it("tenancy: another partner's intent or refund, another organization, the live mode → 404; a read-only token → 403", async () => {
    const { t, api: a, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 100 }));
    await holdRefunds(pi);
    // Setup first (it writes audit entries of its own): a stranger, a sibling organization, a live and a read-only token.
    const stranger = await paidWorld();
    const otherOrg = await expectOk(await call("/v1/organizations", { token: t.token, body: VALID_ORGANIZATION }), 201);
    const live = refundApi(api(await liveToken(t), a.orgId));
    const reader = await accessToken(await issueCredential(t.partnerId, "test", ["refunds:read"]));
    const before = await refundRowCounts(t.partnerId);

    // Another partner, with its own organization, names our intent and our refund.
    const s = stranger.refunds;
    expectError(await s.create({ payment_intent_id: pi, amount: 100 }), 404, { code: "resource_missing", param: "payment_intent_id" });
    expectError(await s.get(refund.id), 404, { code: "resource_missing" });
    expectError(await s.ofIntent(pi), 404, { code: "resource_missing" });
    expectError(await s.simulate(refund.id, "failed"), 404, { code: "resource_missing" });
    // …or sends our organization as X-Entity-Id.
    const intruder = refundApi(api(stranger.t.token, a.orgId));
    expectError(await intruder.create({ payment_intent_id: pi, amount: 100 }), 404, { code: "resource_missing" });
    expectError(await intruder.get(refund.id), 404, { code: "resource_missing" });
    expectError(await intruder.ofIntent(pi), 404, { code: "resource_missing" });

    // Another organization of the same partner does not see this one's intent or refunds.
    const sibling = refundApi(api(t.token, otherOrg.id));
    expectError(await sibling.create({ payment_intent_id: pi, amount: 100 }), 404, { code: "resource_missing", param: "payment_intent_id" });
    expectError(await sibling.get(refund.id), 404, { code: "resource_missing" });
    expectError(await sibling.ofIntent(pi), 404, { code: "resource_missing" });

    // The live mode sees nothing of test mode.
    expectError(await live.create({ payment_intent_id: pi, amount: 100 }), 404, { code: "resource_missing" });
    expectError(await live.get(refund.id), 404, { code: "resource_missing" });

    // Scopes: reading refunds does not allow creating one.
    const readOnly = refundApi(api(reader, a.orgId));
    expect((await readOnly.get(refund.id)).status).toBe(200);
    expectError(await readOnly.create({ payment_intent_id: pi, amount: 100 }), 403, { code: "insufficient_scope" });

    expectError(await r.get(UNKNOWN_REFUND), 404, { code: "resource_missing" });
    expectError(await r.get("ref-nope"), 404, { code: "resource_missing" });
    expectError(await r.ofIntent(UNKNOWN_INTENT), 404, { code: "resource_missing" });
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
    expect((await r.get(refund.id)).body.status).toBe("pending");
  });
});

describe("POST /v1/sandbox/refunds/{id}/simulate", () => {
  it("live mode → 403; a refund no longer pending → 409 refund_not_pending; unknown → 404; a bad outcome → 400", async () => {
    const { t, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 1000 }));
    await holdRefunds(pi);

    const live = refundApi(api(await liveToken(t), "org-unused"));
    expectError(await live.simulate(refund.id, "succeeded"), 403, { type: "permission_error", code: "test_mode_only" });
    expectError(await r.simulate(refund.id, "refunded"), 400, { param: "outcome" });
    expectError(await r.simulate(UNKNOWN_REFUND, "failed"), 404, { code: "resource_missing" });
    expect((await r.get(refund.id)).body.status).toBe("pending");

    const settled = await expectOk(await r.simulate(refund.id, "succeeded"));
    expect(settled).toMatchObject({ id: refund.id, status: "succeeded", completed_at: expect.stringMatching(ISO) });
    const before = await refundRowCounts(t.partnerId);
    const again = await r.simulate(refund.id, "failed");
    expectError(again, 409, { type: "conflict_error", code: "refund_not_pending" });
    expect(again.body.error.message).toContain("succeeded");
    expectError(await r.simulate(refund.id, "succeeded"), 409, { code: "refund_not_pending" });
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
    expect(await expectOk(await r.get(refund.id))).toEqual(settled);
  });
});

describe("idempotency", () => {
  it("replaying POST /v1/refunds with the same Idempotency-Key returns the first refund and refunds once", async () => {
    const { api: a, pi, refunds: r } = await paidWorld();
    const key = { "idempotency-key": `refund-${crypto.randomUUID()}` };
    const body = { payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€" };
    const first = await r.create(body, key);
    const refund = created(first);
    await holdRefunds(pi);
    const replay = await r.create(body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(refund);
    // The alias header too.
    const alias = await r.create(body, { "x-idempotency-key": key["idempotency-key"] });
    expect(alias.body).toEqual(refund);
    // Same key, another body: refused, nothing created.
    expectError(await r.create({ ...body, amount: 5000 }, key), 422, { code: "idempotency_key_reused" });

    expect(await d1Refunds(pi)).toHaveLength(1);
    expect(await objectRefunds(pi)).toHaveLength(1);
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "partially_refunded", refunded_amount: 10000 });
    // After settlement the replay still answers the first response, and refunds nothing more.
    expect((await r.create(body, key)).body).toEqual(refund);
    expect((await a.getIntent(pi)).body.refunded_amount).toBe(10000);
  });

  it("30 concurrent requests with one key create one refund", async () => {
    const { api: a, pi, refunds: r } = await paidWorld();
    const key = { "idempotency-key": `refund-${crypto.randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 30 }, () => r.create({ payment_intent_id: pi, amount: 1000 }, key)));
    const statuses = results.map((x) => x.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ids = new Set(results.filter((x) => x.status === 201).map((x) => x.body.id));
    expect(ids.size).toBe(1);
    for (const x of results.filter((x) => x.status === 409)) expect(x.body.error.code).toBe("idempotency_request_in_progress");
    expect(await d1Refunds(pi)).toHaveLength(1);
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body.refunded_amount).toBe(1000);
  });
});

describe("concurrency", () => {
  it("100 concurrent refunds of 1 € on a 42.20 € payment: exactly 42 succeed, the rest 422, refunded_amount 4 200, no 5xx", async () => {
    const { t, api: a, invoice, pi, refunds: r } = await paidWorld({ lineItems: [SMALL_LINE] });
    expect(invoice.total_amount).toBe(SMALL_TOTAL);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "succeeded", amount_received: SMALL_TOTAL });

    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => r.create({ payment_intent_id: pi, amount: 100, reason: `Remboursement ${i}`, type: "repayment" })));
    const statuses = results.map((x) => x.status);
    expect(statuses.filter((s) => s >= 500), results.filter((x) => x.status >= 500).map((x) => x.text).join("\n")).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(42);
    expect(statuses.filter((s) => s === 422)).toHaveLength(58);
    for (const x of results.filter((x) => x.status === 422)) {
      expect(x.body.error.code).toBe("amount_exceeds_refundable");
      expect(x.body.error.message).toContain("20 cents");
    }
    const accepted = results.filter((x) => x.status === 201).map((x) => x.body);
    expect(new Set(accepted.map((x) => x.id)).size).toBe(42);

    await settleRefundsNow(pi);
    const intent = await expectOk(await a.getIntent(pi));
    expect(intent).toMatchObject({ status: "partially_refunded", refunded_amount: 4200, amount_received: SMALL_TOTAL });
    const rows = await d1Refunds(pi);
    expect(rows).toHaveLength(42);
    expect(rows.every((x) => x.status === "succeeded" && x.amount === 100)).toBe(true);
    expect(new Set(rows.map((x) => x.id))).toEqual(new Set(accepted.map((x) => x.id)));
    const list = await expectOk(await r.ofIntent(pi));
    expect(list.data).toHaveLength(42);
    expect((await ledgerOf(invoice.id))[0]).toMatchObject({ amount: SMALL_TOTAL, refunded_amount: 4200, status: "partially_refunded" });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "partially_paid", amount_paid: 20, amount_due: 4200 });
    // One event per change, however many requests: 42 refunds created and settled, one intent and one invoice transition.
    expect(await eventsOf(t.partnerId, "refund.created")).toHaveLength(42);
    expect(await eventsOf(t.partnerId, "refund.status_changed")).toHaveLength(42);
    expect(await intentTransitions(t.partnerId, pi)).toEqual(["created→pending", "pending→processing", "processing→succeeded", "succeeded→partially_refunded"]);
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid", "paid→partially_paid"]);

    // The last 20 cents, then nothing.
    const last = created(await r.create({ payment_intent_id: pi }));
    expect(last.amount).toBe(20);
    await settleRefundsNow(pi);
    expect((await a.getIntent(pi)).body).toMatchObject({ status: "refunded", refunded_amount: SMALL_TOTAL });
    expect(await d1Invoice(invoice.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SMALL_TOTAL });
    expectError(await r.create({ payment_intent_id: pi, amount: 1 }), 422, { code: "amount_exceeds_refundable" });
  });
});

describe("the PaymentIntent object's refunds", () => {
  it("its refunds table and D1's refunds rows agree after settlement; a replayed settlement changes nothing", async () => {
    const { api: a, invoice, pi, refunds: r } = await paidWorld();
    const ok = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: "Remise commerciale de 100€" }));
    const ko = created(await r.create({ payment_intent_id: pi, amount: 5000, reason: "Geste commercial" }));
    await holdRefunds(pi);
    const stub = intentStub(pi);
    const actor = { id: "test", type: "partner" as const };

    const settled = await stub.settleRefund(pi, { tenant: await tenantOf(pi), refundId: ok.id, outcome: "succeeded", actor });
    expect(settled).toMatchObject({ ok: true, refund: { id: ok.id, status: "succeeded" }, intent: { status: "partially_refunded", refunded_amount: 10000 } });
    expect(await stub.settleRefund(pi, { tenant: await tenantOf(pi), refundId: ko.id, outcome: "failed", actor })).toMatchObject({ ok: true, refund: { status: "failed" } });

    const inObject = await objectRefunds(pi);
    const inD1 = await d1Refunds(pi);
    expect(inObject.map((x) => x.id)).toEqual([ok.id, ko.id]);
    expect(inD1.map((x) => x.id)).toEqual([ok.id, ko.id]);
    inObject.forEach((o, i) => {
      const d = inD1[i];
      expect(d).toMatchObject({
        id: o.id,
        payment_intent_id: o.payment_intent_id,
        invoice_id: invoice.id,
        organization_id: a.orgId,
        livemode: 0,
        amount: o.amount,
        currency: o.currency,
        status: o.status,
        reason: o.reason,
        type: o.type,
        failure_code: o.failure_code,
        completed_at: o.completed_at,
        version: o.version,
        created_at: o.created_at,
        updated_at: o.updated_at,
      });
    });
    expect(inObject.map((x) => [x.status, x.version])).toEqual([
      ["succeeded", 2],
      ["failed", 2],
    ]);
    const { state } = await objectStorage(pi);
    expect(state).toMatchObject({ status: "partially_refunded", refunded_amount: 10000 });
    expect(await d1Intent(pi)).toMatchObject({ status: "partially_refunded", refunded_amount: 10000, version: state.version });

    // Settling again, by the simulator's RPC or by the stale sandbox timers, changes nothing.
    const snapshot = async () => ({
      storage: await objectStorage(pi),
      refunds: await objectRefunds(pi),
      d1: await d1Refunds(pi),
      intent: await d1Intent(pi),
      invoice: await d1Invoice(invoice.id),
      ledger: await ledgerOf(invoice.id),
      events: (await env.DB.prepare("SELECT count(*) AS n FROM events WHERE organization_id = ?").bind(a.orgId).first<{ n: number }>())!.n,
      audit: (await env.DB.prepare("SELECT count(*) AS n FROM audit_logs WHERE organization_id = ?").bind(a.orgId).first<{ n: number }>())!.n,
    });
    const before = await snapshot();
    expect(before.storage.outbox).toEqual([]);
    expect(await stub.settleRefund(pi, { tenant: await tenantOf(pi), refundId: ok.id, outcome: "succeeded", actor })).toEqual({
      ok: false,
      code: "refund_not_pending",
      message: expect.any(String),
      status: 409,
    });
    expect(await stub.settleRefund(pi, { tenant: await tenantOf(pi), refundId: ko.id, outcome: "succeeded", actor })).toMatchObject({ ok: false, code: "refund_not_pending" });
    expect(await snapshot()).toEqual(before);
    expect(before.storage.timers.filter((x: { kind: string }) => x.kind === "refund_settle")).toHaveLength(2);
    await runInDurableObject(stub, (_i, st) => {
      st.storage.sql.exec("UPDATE timers SET due_at = 0");
    });
    await runDurableObjectAlarm(stub);
    const afterTimers = await snapshot();
    expect(afterTimers.storage.timers.filter((x: { kind: string }) => x.kind === "refund_settle")).toEqual([]);
    expect({ ...afterTimers, storage: { ...afterTimers.storage, timers: [], alarm: null } }).toEqual({ ...before, storage: { ...before.storage, timers: [], alarm: null } });
    expect(await expectOk(await r.get(ko.id))).toMatchObject({ status: "failed" });
  });

  it("a refund call retried with the same refund id returns the same refund, once; an unknown refund id → 404", async () => {
    const { pi, t, org } = await paidWorld();
    const stub = intentStub(pi);
    const actor = { id: "test", type: "partner" as const };
    const tenant = { partnerId: t.partnerId, livemode: false, organizationId: org.id };
    const refundId = "ref-0193a4b2-c7e8-7d1f-9a6b-000000000001";
    const first = await stub.refund(pi, { refundId, amount: 3000, reason: null, tenant, actor });
    const second = await stub.refund(pi, { refundId, amount: 3000, reason: null, tenant, actor });
    expect(first).toMatchObject({ ok: true, refund: { id: refundId, amount: 3000, status: "pending" } });
    // The same refund (the bookmarks differ: the first one's projection may land in between).
    expect(second).toEqual({ ...first, d1_bookmark: expect.anything() });
    expect(await objectRefunds(pi)).toHaveLength(1);
    await stub.reconcile(pi, tenant); // its projection, which the answer did not wait for
    expect(await d1Refunds(pi)).toHaveLength(1);
    expect(await stub.settleRefund(pi, { refundId: UNKNOWN_REFUND, outcome: "failed", actor, tenant })).toMatchObject({ ok: false, code: "resource_missing", status: 404 });
    // The object checks whose it is: another partner, mode or organization gets 404 and nothing.
    for (const other of [{ ...tenant, partnerId: "ptn-other" }, { ...tenant, livemode: true }, { ...tenant, organizationId: "org-other" }]) {
      expect(await stub.refund(pi, { refundId: "ref-0193a4b2-c7e8-7d1f-9a6b-000000000002", amount: 100, reason: null, tenant: other, actor })).toMatchObject({ ok: false, status: 404 });
    }
    expect(await objectRefunds(pi)).toHaveLength(1);
  });
});

describe("a refund retried with its Idempotency-Key after a crash", () => {
  it("finds the refund the first attempt made (the id derives from the key): one refund, not two", async () => {
    const { pi, t, org } = await paidWorld();
    const send = () =>
      call("/v1/refunds", { token: t.token, headers: { "x-entity-id": org.id, "idempotency-key": "refund-after-crash" }, body: { payment_intent_id: pi, amount: 1000 } });
    const first = await send();
    expect(first.status).toBe(201);
    // The worker died before completing the key: its claim is gone (taken over after a minute).
    await env.DB.prepare("DELETE FROM idempotency_keys WHERE partner_id = ? AND key = 'refund-after-crash'").bind(t.partnerId).run();
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.body.id).toBe(first.body.id);
    expect(await objectRefunds(pi)).toHaveLength(1);
    expect(await d1Refunds(pi)).toHaveLength(1);
  });
});
