import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parisStartOfDay, parisToday } from "../../src/domain/dates";
import { COLLECTED_PAYMENT_STATUSES } from "../../src/domain/payment";
import { expectInvariantsHold } from "../helpers/invariants";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, type CallResult } from "../helpers/harness";
import { api, d1Invoice, eventsOf, expectError, invoiceTransitions, issuedInvoice, link, liveToken, payableWorld, rowCounts, SEED_TOTAL, UNKNOWN_INVOICE, type Api } from "./fixtures";

/**
 * Issue 14: payments received at the counter (cash, cheque, a transfer seen on the account),
 * recorded with POST /v1/invoices/{id}/payments, voided with POST /v1/payments/{id}/void, and
 * listed with the online ones by GET /v1/payments (seed 002's filters, seed 003's amounts).
 */

const record = (a: Api, invoiceId: string, body: Record<string, unknown>) => call(`/v1/invoices/${invoiceId}/payments`, { token: a.token, headers: { "x-entity-id": a.orgId }, body });
const voidIt = (a: Api, paymentId: string, reason = "Chèque enregistré deux fois") =>
  call(`/v1/payments/${paymentId}/void`, { token: a.token, headers: { "x-entity-id": a.orgId }, body: { reason } });
const patchDepartment = (a: Api, id: string, body: Record<string, unknown>) => call(`/v1/departments/${id}`, { method: "PATCH", token: a.token, body });

const today = () => parisToday();

const ids = (res: CallResult) => {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.text}`);
  return res.body.data.map((p: { id: string }) => p.id).sort();
};

async function auditOf(partnerId: string, resourceId: string) {
  const { results } = await env.DB.prepare("SELECT resource_type, action, user_type, changes FROM audit_logs WHERE partner_id = ? AND resource_id = ? ORDER BY created_at, id")
    .bind(partnerId, resourceId)
    .all<{ resource_type: string; action: string; user_type: string; changes: string }>();
  return results.map((r) => ({ ...r, changes: JSON.parse(r.changes) }));
}

/** The invariant: amount_paid is the sum of the collected payments GET /v1/invoices/{id}/payments lists, less their refunds. */
async function expectPaidIsLedger(a: Api, invoiceId: string) {
  const invoice = await expectOk(await a.getInvoice(invoiceId));
  const { data } = await expectOk(await a.invoicePayments(invoiceId));
  const collected = data
    .filter((p: { status: string }) => (COLLECTED_PAYMENT_STATUSES as readonly string[]).includes(p.status))
    .reduce((s: number, p: { amount: number; refunded_amount: number }) => s + p.amount - p.refunded_amount, 0);
  expect(invoice.amount_paid).toBe(collected);
  expect(invoice.amount_due).toBe(invoice.total_amount - invoice.amount_paid);
  expect(invoice.amount_paid).toBeLessThanOrEqual(invoice.total_amount);
  return invoice;
}

describe("POST /v1/invoices/{id}/payments", () => {
  it("cash then a cheque: partially_paid, then paid, amounts exact, payment.created and invoice.status_changed, audited", async () => {
    const { t, api: a, issued, dept } = await payableWorld();
    const cash = await expectOk(await record(a, issued.id, { amount: 12200, method: "cash", received_at: today(), note: "Guichet, matin" }), 201);
    expect(cash).toEqual({
      id: expect.stringMatching(/^pay-/),
      object: "payment",
      livemode: false,
      version: 1,
      organization_id: a.orgId,
      source: "offline",
      invoice_id: issued.id,
      department_id: dept.id,
      payment_intent_id: null,
      payment_link_id: null,
      amount: 12200,
      refunded_amount: 0,
      currency: "EUR",
      method: "cash",
      status: "completed",
      reference: null,
      note: "Guichet, matin",
      // A Paris date is received at its midnight in Paris.
      paid_at: parisStartOfDay(today()).toISOString(),
      voided_at: null,
      void_reason: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "partially_paid", amount_paid: 12200, amount_due: 30000, paid_at: null });
    expect((await a.getPayment(cash.id)).body).toEqual(cash);

    const receivedAt = new Date(Date.now() - 3_600_000).toISOString();
    const cheque = await expectOk(await record(a, issued.id, { amount: 30000, method: "cheque", received_at: receivedAt, reference: "CHQ 0012345" }), 201);
    expect(cheque).toMatchObject({ method: "cheque", reference: "CHQ 0012345", paid_at: receivedAt, source: "offline" });
    // Paid when the cheque that completed it was received.
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0, paid_at: receivedAt });
    const invoice = await expectPaidIsLedger(a, issued.id);
    expect(invoice).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });

    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→partially_paid", "partially_paid→paid"]);
    const created = await eventsOf(t.partnerId, "payment.created");
    expect(created.map((e) => e.data)).toEqual([
      { payment_id: cash.id, payment: { ...cash, created_at: expect.any(String), updated_at: expect.any(String) } },
      { payment_id: cheque.id, payment: { ...cheque, created_at: expect.any(String), updated_at: expect.any(String) } },
    ]);
    const paidEvent = (await eventsOf(t.partnerId, "invoice.status_changed")).at(-1)!;
    expect(paidEvent.data).toMatchObject({ previous_status: "partially_paid", current_status: "paid", invoice: { amount_paid: SEED_TOTAL, amount_due: 0 } });

    expect(await auditOf(t.partnerId, cash.id)).toEqual([
      { resource_type: "payment", action: "created", user_type: "partner", changes: { before: null, after: { ...cash, created_at: expect.any(String), updated_at: expect.any(String) } } },
    ]);
    const invoiceAudit = (await auditOf(t.partnerId, issued.id)).filter((r) => r.action === "status_changed" && r.changes.after.payment_id);
    expect(invoiceAudit.map((r) => r.changes)).toEqual([
      { before: { status: "issued", amount_paid: 0 }, after: { status: "partially_paid", amount_paid: 12200, payment_id: cash.id } },
      { before: { status: "partially_paid", amount_paid: 12200 }, after: { status: "paid", amount_paid: SEED_TOTAL, payment_id: cheque.id } },
    ]);

    // Paid in full: nothing more is taken.
    expectError(await record(a, issued.id, { amount: 1, method: "cash", received_at: today() }), 409, { code: "invoice_not_payable" });
  });

  it("never above what is due, active links and holds counted: 422 amount_exceeds_due, nothing written", async () => {
    const { t, api: a, issued } = await payableWorld();
    const before = await rowCounts(t.partnerId);
    expectError(await record(a, issued.id, { amount: SEED_TOTAL + 1, method: "bank_transfer", received_at: today() }), 422, { code: "amount_exceeds_due", param: "amount" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });

    // A link of 40 000 is promised out of the 42 200 due: 2 200 is left for the counter.
    await link(a, issued.id, { amount: 40000 });
    const withLink = await rowCounts(t.partnerId);
    const refused = await record(a, issued.id, { amount: 2201, method: "cheque", received_at: today() });
    expectError(refused, 422, { code: "amount_exceeds_due", param: "amount" });
    expect(refused.body.error.message).toContain("2200 cents");
    expect(await rowCounts(t.partnerId)).toEqual(withLink);
    await expectOk(await record(a, issued.id, { amount: 2200, method: "cheque", received_at: today() }), 201);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "partially_paid", amount_paid: 2200, amount_due: 40000 });
 
    // A card hold authorized and not yet captured is promised too (its link is completed, the money still to come).
    const other = await issuedInvoice(a, (await d1InvoiceDepartment(issued.id))!);
    const hold = await link(a, other.id, { amount: 20000, payment_methods: ["card"], type: "preauth" });
    await expectOk(await a.simulate(hold.payment_intent_id, "succeeded"));
    expect((await expectOk(await a.getIntent(hold.payment_intent_id))).status).toBe("requires_capture");
    expectError(await record(a, other.id, { amount: 22201, method: "cheque", received_at: today() }), 422, { code: "amount_exceeds_due" });
    await expectOk(await record(a, other.id, { amount: 22200, method: "cheque", received_at: today() }), 201);
  });

  it("the department's accepted methods and cash ceiling: 422 offline_method_not_accepted, cash_ceiling_exceeded, nothing written", async () => {
    const { t, api: a, issued, dept } = await payableWorld();
    const updated = await expectOk(await patchDepartment(a, dept.id, { offline_methods: ["cash", "bank_transfer"], cash_ceiling: 30000 }));
    expect(updated).toMatchObject({ offline_methods: ["cash", "bank_transfer"], cash_ceiling: 30000 });
    expect((await expectOk(await call(`/v1/departments/${dept.id}`, { token: a.token }))).cash_ceiling).toBe(30000);

    const before = await rowCounts(t.partnerId);
    const cheque = await record(a, issued.id, { amount: 100, method: "cheque", received_at: today() });
    expectError(cheque, 422, { code: "offline_method_not_accepted", param: "method" });
    expect(cheque.body.error.message).toContain("cheque");
    const tooMuchCash = await record(a, issued.id, { amount: 30001, method: "cash", received_at: today() });
    expectError(tooMuchCash, 422, { code: "cash_ceiling_exceeded", param: "amount" });
    expect(tooMuchCash.body.error.message).toContain("30001");
    expect(await rowCounts(t.partnerId)).toEqual(before);

    // The ceiling is on cash only; at the ceiling, cash is taken.
    await expectOk(await record(a, issued.id, { amount: 30000, method: "cash", received_at: today() }), 201);
    await expectOk(await record(a, issued.id, { amount: 12200, method: "bank_transfer", received_at: today() }), 201);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });

    // None accepted, then any again (null).
    const other = await issuedInvoice(a, dept.id);
    await expectOk(await patchDepartment(a, dept.id, { offline_methods: [], cash_ceiling: null }));
    expectError(await record(a, other.id, { amount: 100, method: "cash", received_at: today() }), 422, { code: "offline_method_not_accepted" });
    await expectOk(await patchDepartment(a, dept.id, { offline_methods: null }));
    await expectOk(await record(a, other.id, { amount: 40000, method: "cash", received_at: today() }), 201);

    // A régie founded with its rules; bad rules are refused naming the field.
    const created = await expectOk(
      await call(`/v1/organizations/${a.orgId}/departments`, { token: a.token, body: { name: "Régie de la cantine", code: "REG-CANT", offline_methods: ["cheque"], cash_ceiling: 0 } }),
      201,
    );
    expect(created).toMatchObject({ offline_methods: ["cheque"], cash_ceiling: 0 });
    expectError(await patchDepartment(a, dept.id, { offline_methods: ["card"] }), 400, { param: "offline_methods.0" });
    expectError(await patchDepartment(a, dept.id, { offline_methods: ["cash", "cash"] }), 400, { param: "offline_methods" });
    expectError(await patchDepartment(a, dept.id, { cash_ceiling: -1 }), 400, { param: "cash_ceiling" });
    expectError(await patchDepartment(a, dept.id, { cash_ceiling: 10.5 }), 400, { param: "cash_ceiling" });
  });

  it("bad input → 400 naming the field, a future date → 400, a draft or cancelled invoice → 409, unknown or foreign → 404; nothing written", async () => {
    const { t, api: a, issued, invoice: draft } = await payableWorld();
    const live = await liveToken(t);
    const before = await rowCounts(t.partnerId);
    const ok = { amount: 1000, method: "cash", received_at: today() };
    for (const [body, param] of [
      [{ ...ok, amount: 0 }, "amount"],
      [{ ...ok, amount: 10.5 }, "amount"],
      [{ ...ok, amount: "1000" }, "amount"],
      [{ ...ok, method: "card" }, "method"],
      [{ ...ok, method: "sepa_credit" }, "method"],
      [{ ...ok, received_at: "02/03/2026" }, "received_at"],
      [{ ...ok, received_at: "2026-02-30" }, "received_at"],
      [{ amount: 1000, method: "cash" }, "received_at"],
      [{ ...ok, reference: "" }, "reference"],
      [{ ...ok, note: "a\u202Eb" }, "note"],
      [{ ...ok, extra: 1 }, undefined],
    ] as const) {
      const res = await record(a, issued.id, body as Record<string, unknown>);
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (param) expect(res.body.error.param, JSON.stringify(body)).toBe(param);
    }
    expectError(await record(a, issued.id, { ...ok, received_at: "2099-01-01" }), 400, { code: "received_at_in_future", param: "received_at" });
    expectError(await record(a, issued.id, { ...ok, received_at: new Date(Date.now() + 3_600_000).toISOString() }), 400, { param: "received_at" });
    expectError(await record(a, draft.id, ok), 409, { code: "invoice_not_payable" });
    expectError(await record(a, UNKNOWN_INVOICE, ok), 404, { code: "resource_missing", param: "id" });
    expectError(await record(a, "not-an-id", ok), 404, { code: "resource_missing" });
    const stranger = await createPartner();
    expectError(await record(api(stranger.token, a.orgId), issued.id, ok), 404, { code: "resource_missing" });
    expectError(await record(api(live, a.orgId), issued.id, ok), 404, { code: "resource_missing" });
    expect(await rowCounts(t.partnerId)).toEqual(before);

    const cancelled = await issuedInvoice(a, (await d1InvoiceDepartment(issued.id))!);
    await expectOk(await a.cancelInvoice(cancelled.id));
    expectError(await record(a, cancelled.id, ok), 409, { code: "invoice_not_payable" });
  });

  it("a clerk's double submission with the same Idempotency-Key records one payment", async () => {
    const { t, api: a, issued } = await payableWorld();
    const send = () =>
      call(`/v1/invoices/${issued.id}/payments`, {
        token: a.token,
        headers: { "x-entity-id": a.orgId, "idempotency-key": "guichet-2026-0042" },
        body: { amount: 2000, method: "cash", received_at: today() },
      });
    const first = await expectOk(await send(), 201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.id);
    expect((await rowCounts(t.partnerId)).payments).toBe(1);
    expect(await d1Invoice(issued.id)).toMatchObject({ amount_paid: 2000, amount_due: SEED_TOTAL - 2000 });
  });

  it("without X-Entity-Id: the invoice's own organization, found inside the one batch (no read first); the payment, its event and its audit entry carry it", async () => {
    const { t, api: a, issued } = await payableWorld();
    // Another organization of the partner's: the payment must not land there.
    const other = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Autre organisation" } }), 201);
    const res = await call(`/v1/invoices/${issued.id}/payments`, { token: a.token, body: { amount: 5000, method: "cheque", received_at: today(), reference: "CHQ 77" } });
    const payment = await expectOk(res, 201);
    expect(payment).toMatchObject({ organization_id: a.orgId, invoice_id: issued.id, amount: 5000, source: "offline" });
    expect(a.orgId).not.toBe(other.id);
    // One D1 round trip: the batch that records it (the partner gate's call is not D1).
    const timing = res.headers.get("server-timing") ?? "";
    expect([...timing.matchAll(/d1-\d+;desc="([^"]*)"/g)].map(([, desc]) => desc), timing).toEqual([expect.stringMatching(/^batch\(\d+\)$/)]);

    const stored = await env.DB.prepare(
      "SELECT (SELECT organization_id FROM payments WHERE id = ?1) AS payment, (SELECT organization_id FROM audit_logs WHERE resource_id = ?1) AS audit, (SELECT organization_id FROM events WHERE type = 'payment.created' AND json_extract(data, '$.payment_id') = ?1) AS event",
    )
      .bind(payment.id)
      .first();
    expect(stored).toEqual({ payment: a.orgId, audit: a.orgId, event: a.orgId });
    const same = { ...payment, created_at: expect.any(String), updated_at: expect.any(String) };
    expect((await eventsOf(t.partnerId, "payment.created")).map((e) => e.data)).toEqual([{ payment_id: payment.id, payment: same }]);
    expect(await auditOf(t.partnerId, payment.id)).toEqual([{ resource_type: "payment", action: "created", user_type: "partner", changes: { before: null, after: same } }]);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "partially_paid", amount_paid: 5000 });
  });

  it("a payment read-only credential is refused (403): recording needs payments:write", async () => {
    const { t, api: a, issued } = await payableWorld();
    const reader = await accessToken(await issueCredential(t.partnerId, "test", ["payments:read", "invoices:write"]));
    expectError(await record(api(reader, a.orgId), issued.id, { amount: 1000, method: "cash", received_at: today() }), 403, { code: "insufficient_scope" });
  });
});

async function d1InvoiceDepartment(invoiceId: string) {
  return (await env.DB.prepare("SELECT department_id FROM invoices WHERE id = ?").bind(invoiceId).first<{ department_id: string }>())?.department_id;
}

describe("POST /v1/payments/{id}/void", () => {
  it("voids a payment recorded by mistake: the invoice goes back to its previous amounts and status, payment.voided, audited; twice changes nothing", async () => {
    const { t, api: a, issued } = await payableWorld();
    const first = await expectOk(await record(a, issued.id, { amount: 20000, method: "cheque", received_at: today(), reference: "CHQ 1" }), 201);
    const mistake = await expectOk(await record(a, issued.id, { amount: 22200, method: "cheque", received_at: today(), reference: "CHQ 1" }), 201);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL, amount_due: 0 });

    const voided = await expectOk(await voidIt(a, mistake.id));
    expect(voided).toEqual({ ...mistake, status: "voided", voided_at: expect.any(String), void_reason: "Chèque enregistré deux fois", updated_at: voided.voided_at, version: 2 });
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "partially_paid", amount_paid: 20000, amount_due: 22200, paid_at: null });
    await expectPaidIsLedger(a, issued.id);
    // Still in the ledger, shown voided.
    expect((await expectOk(await a.invoicePayments(issued.id))).data.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      [first.id, "completed"],
      [mistake.id, "voided"],
    ]);
    expect(await invoiceTransitions(t.partnerId, issued.id)).toEqual(["draft→issued", "issued→partially_paid", "partially_paid→paid", "paid→partially_paid"]);
    expect((await eventsOf(t.partnerId, "payment.voided")).map((e) => e.data)).toEqual([{ payment_id: mistake.id, payment: voided }]);
    const audit = await auditOf(t.partnerId, mistake.id);
    expect(audit.map((r) => [r.action, r.changes])).toEqual([
      ["created", expect.anything()],
      ["voided", { before: { status: "completed", voided_at: null, void_reason: null }, after: { status: "voided", voided_at: voided.voided_at, void_reason: "Chèque enregistré deux fois" } }],
    ]);

    // Twice: answered as it is, nothing written.
    const counts = await rowCounts(t.partnerId);
    expect((await expectOk(await voidIt(a, mistake.id, "encore"))).void_reason).toBe("Chèque enregistré deux fois");
    expect(await rowCounts(t.partnerId)).toEqual(counts);

    // Voiding the last payment: nothing paid, the invoice is issued again; then the counter takes the full amount.
    await expectOk(await voidIt(a, first.id));
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "issued", amount_paid: 0, amount_due: SEED_TOTAL });
    await expectOk(await record(a, issued.id, { amount: SEED_TOTAL, method: "bank_transfer", received_at: today() }), 201);
    expect(await d1Invoice(issued.id)).toMatchObject({ status: "paid", amount_paid: SEED_TOTAL });
    // The system-wide invariants (scripts/lib/invariants.mjs) hold with voided entries in the ledger.
    await expectInvariantsHold(a.token, a.orgId);
  });

  it("an online payment is refunded, never voided: 409 payment_not_voidable; unknown, foreign or live → 404; a reason is required", async () => {
    const { t, api: a, issued } = await payableWorld();
    const l = await link(a, issued.id, { amount: 10000 });
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    const online = `pay-${l.payment_intent_id.slice(3)}`;
    const offline = await expectOk(await record(a, issued.id, { amount: 1000, method: "cash", received_at: today() }), 201);
    const live = await liveToken(t);
    const before = await rowCounts(t.partnerId);
    expectError(await voidIt(a, online), 409, { code: "payment_not_voidable" });
    const stranger = await createPartner();
    expectError(await voidIt(api(stranger.token, a.orgId), offline.id), 404, { code: "resource_missing" });
    expectError(await voidIt(api(live, a.orgId), offline.id), 404, { code: "resource_missing" });
    expectError(await voidIt(a, "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"), 404, { code: "resource_missing", param: "id" });
    expectError(await call(`/v1/payments/${offline.id}/void`, { token: a.token, headers: { "x-entity-id": a.orgId }, body: {} }), 400, { param: "reason" });
    expectError(await voidIt(a, offline.id, ""), 400, { param: "reason" });
    expect(await rowCounts(t.partnerId)).toEqual(before);
    expect((await a.getPayment(online)).body.status).toBe("completed");
    expect(await d1Invoice(issued.id)).toMatchObject({ amount_paid: 11000 });
  });
});

describe("GET /v1/payments with counter payments", () => {
  it("filters by department (the payment's, else its invoice's), amounts, method, status, dates; shows the source", async () => {
    const { api: a, issued, dept } = await payableWorld();
    const dept2 = await expectOk(await call(`/v1/organizations/${a.orgId}/departments`, { token: a.token, body: { name: "Régie des Sports", code: "REG-SPORT" } }), 201);
    const other = await issuedInvoice(a, dept2.id);

    const l = await link(a, issued.id, { amount: 10000 });
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    const online = `pay-${l.payment_intent_id.slice(3)}`;
    const cash = (await expectOk(await record(a, issued.id, { amount: 5000, method: "cash", received_at: today() }), 201)).id;
    const cheque = (await expectOk(await record(a, other.id, { amount: 25000, method: "cheque", received_at: "2026-02-10" }), 201)).id;
    const voided = (await expectOk(await record(a, other.id, { amount: 700, method: "other", received_at: today() }), 201)).id;
    await expectOk(await voidIt(a, voided));
    // An online payment projected before issue 14 has no department of its own: its invoice's counts.
    await env.DB.prepare("UPDATE payments SET department_id = NULL WHERE id = ?").bind(online).run();

    const all = await expectOk(await a.listPayments());
    expect(all.pagination.total_items).toBe(4);
    expect(Object.fromEntries(all.data.map((p: { id: string; source: string; department_id: string }) => [p.id, [p.source, p.department_id]]))).toEqual({
      [online]: ["online", dept.id],
      [cash]: ["offline", dept.id],
      [cheque]: ["offline", dept2.id],
      [voided]: ["offline", dept2.id],
    });
    expect(ids(await a.listPayments(`department_id=${dept.id}`))).toEqual([online, cash].sort());
    expect(ids(await a.listPayments(`department_id=${dept2.id}`))).toEqual([cheque, voided].sort());
    expect((await expectOk(await a.listPayments(`department_id=${dept2.id}`))).pagination.total_items).toBe(2);
    expect(ids(await a.listPayments("department_id=dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"))).toEqual([]);
    expect(ids(await a.listPayments("min_amount=5000"))).toEqual([online, cash, cheque].sort());
    expect(ids(await a.listPayments("min_amount=5001&max_amount=25000"))).toEqual([online, cheque].sort());
    expect(ids(await a.listPayments("max_amount=700"))).toEqual([voided]);
    expect(ids(await a.listPayments("method=cash"))).toEqual([cash]);
    expect(ids(await a.listPayments("method=sepa_credit"))).toEqual([online]);
    expect(ids(await a.listPayments("status=voided"))).toEqual([voided]);
    expect(ids(await a.listPayments("status=completed"))).toEqual([online, cash, cheque].sort());
    expect(ids(await a.listPayments("from_date=2026-02-10&to_date=2026-02-10"))).toEqual([cheque]);
    expect(ids(await a.listPayments(`department_id=${dept2.id}&status=completed`))).toEqual([cheque]);

    expectError(await a.listPayments("min_amount=abc"), 400, { param: "min_amount" });
    expectError(await a.listPayments("max_amount=-1"), 400, { param: "max_amount" });
    expectError(await a.listPayments("min_amount=10&max_amount=5"), 400, { param: "max_amount" });
    expectError(await a.listPayments("method=bitcoin"), 400, { param: "method" });
    expectError(await a.listPayments("status=paid"), 400, { param: "status" });
    expectError(await a.listPayments("to_date=2026-13-01"), 400, { param: "to_date" });

    // Another partner naming this department sees none of it.
    const stranger = await createPartner();
    expectError(await api(stranger.token, a.orgId).listPayments(`department_id=${dept.id}`), 404, { code: "resource_missing" });
    expectError(await api(stranger.token, a.orgId).getPayment(cash), 404, { code: "resource_missing" });
  });

  it("an offline payment has a receipt like any payment", async () => {
    const { api: a, issued } = await payableWorld();
    const cash = await expectOk(await record(a, issued.id, { amount: 5000, method: "cash", received_at: today() }), 201);
    const res = await call(`/v1/payments/${cash.id}/receipt`, { token: a.token, headers: { "x-entity-id": a.orgId } });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/pdf");
  });

  it("a receipt number never changes: a cheque recorded later with an earlier date of receipt is numbered after the payments already recorded", async () => {
    const { api: a, issued } = await payableWorld();
    const receiptName = async (id: string) => {
      const res = await call(`/v1/payments/${id}/receipt`, { token: a.token, headers: { "x-entity-id": a.orgId } });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      return res.headers.get("content-disposition");
    };
    const cash = await expectOk(await record(a, issued.id, { amount: 5000, method: "cash", received_at: today() }), 201);
    expect(await receiptName(cash.id)).toBe(`inline; filename="recu-${issued.invoice_number}-R1.pdf"`);
    const lateCheque = await expectOk(await record(a, issued.id, { amount: 3000, method: "cheque", received_at: "2026-01-05", reference: "CHQ 7" }), 201);
    expect(await receiptName(cash.id)).toBe(`inline; filename="recu-${issued.invoice_number}-R1.pdf"`);
    expect(await receiptName(lateCheque.id)).toBe(`inline; filename="recu-${issued.invoice_number}-R2.pdf"`);
  });
});
