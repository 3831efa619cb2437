import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src/db/client";
import { project, type ProjectionRecord } from "../../src/db/projection/payment-intent";
import { splitPriceReduction } from "../../src/domain/credit-note";
import { parisToday } from "../../src/domain/dates";
import type { PaymentIntent } from "../../src/durable/payment-intent";
import { accessToken, call, createPartner, expectOk, issueCredential, SEED, seedInvoiceBody, seedWorld, type CallResult } from "../helpers/harness";
import { d1Invoice, eventsOf, expectError, intentStub, invoiceTransitions, link, liveToken, payableWorld, SEED_TOTAL, tenantOf } from "./fixtures";
import { d1Refunds, holdRefunds, paidWorld, refundApi, refundRowCounts, settleRefundsNow, SMALL_LINE, SMALL_TOTAL } from "./refund-fixtures";

/**
 * Issue 12, "a refund that lowers the price is a credit note, not a debt": POST /v1/refunds'
 * `type`. A price reduction that succeeds issues a partial credit note (AV- series, VAT split over
 * the invoice's rates) in the projection batch of its settlement; the invoice's credited amount
 * grows and it stays paid. A repayment gives the money back and the invoice is owed it again.
 */

const REMISE = "Remise commerciale de 100€";
const YEAR = parisToday().slice(0, 4);
const av = (n: number) => `AV-${YEAR}-${String(n).padStart(5, "0")}`;

function created(res: CallResult) {
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.text}`);
  return res.body;
}

/** Credit-note reads about one organization. */
function creditNotes(token: string, orgId: string) {
  const headers = { "x-entity-id": orgId };
  return {
    list: (query = "") => call(`/v1/credit_notes${query ? `?${query}` : ""}`, { token, headers }),
    get: (id: string) => call(`/v1/credit_notes/${id}`, { token, headers }),
  };
}

/** The organization's AV- counter for this year (0 before the first credit note). */
async function avCounter(orgId: string) {
  const row = await env.DB.prepare("SELECT last_number FROM invoice_counters WHERE organization_id = ? AND series = 'credit_note' AND year = ?").bind(orgId, Number(YEAR)).first<{ last_number: number }>();
  return row?.last_number ?? 0;
}

describe("price reduction: seed 001's 100 € refund with a reason on the paid invoice", () => {
  it("by default a price reduction: after settlement a partial credit note AV-… of 100 € split by rate, the invoice stays paid with nothing due", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const cn = creditNotes(t.token, org.id);

    const refund = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: REMISE }));
    await holdRefunds(pi);
    expect(refund).toMatchObject({ type: "price_reduction", credit_note_id: null, status: "pending" });
    // Pending: no credit note yet, the invoice untouched.
    expect((await expectOk(await cn.list())).data).toEqual([]);
    expect(await avCounter(org.id)).toBe(0);

    await settleRefundsNow(pi);
    const done = await expectOk(await r.get(refund.id));
    expect(done).toMatchObject({ status: "succeeded", type: "price_reduction", credit_note_id: expect.stringMatching(/^cn-/) });
    expect(done.credit_note_id.slice(3)).toBe(refund.id.slice(4));

    const note = await expectOk(await cn.get(done.credit_note_id));
    expect(note).toEqual({
      id: done.credit_note_id,
      object: "credit_note",
      livemode: false,
      version: 1,
      organization_id: org.id,
      invoice_id: invoice.id,
      invoice_number: invoice.invoice_number,
      invoice_issue_date: parisToday(new Date(invoice.issued_at)),
      credit_note_number: av(1),
      type: "price_reduction",
      refund_id: refund.id,
      reason: REMISE,
      currency: "EUR",
      // 100 € at 5.5 %: 94.79 € + 5.21 € of VAT (5.2134… rounded).
      line_items: [{ description: `Réduction de prix — ${REMISE}`, quantity: 1, unit: "C62", unit_price: 9479, vat_rate: 5.5, net_amount: 9479 }],
      subtotal_amount: 9479,
      tax_amount: 521,
      total_amount: 10000,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 9479, tax_amount: 521 }],
      mentions: {
        document_type: "Avoir",
        type_code: 381,
        issue_date: parisToday(),
        seller: invoice.mentions.seller,
        reduces: `Avoir partiel (réduction de prix) sur la facture n° ${invoice.invoice_number} du ${parisToday(new Date(invoice.issued_at)).split("-").reverse().join("/")}`,
        reason: REMISE,
      },
      document: { pdf_url: `/v1/credit_notes/${note.id}/pdf`, xml_url: `/v1/credit_notes/${note.id}/xml`, sha256: note.document.sha256, xml_sha256: note.document.xml_sha256, generated_at: note.document.generated_at },
      issued_at: done.completed_at,
      created_at: done.completed_at,
    });
    expect(invoice.mentions.seller).toMatchObject({ name: SEED.organization.name });

    // The invoice: still paid, its price lowered by the credit note, nothing chased.
    const after = await expectOk(await a.getInvoice(invoice.id));
    expect(after).toMatchObject({ status: "paid", total_amount: SEED_TOTAL, amount_paid: 32200, credited_amount: 10000, amount_due: 0 });
    expect(after.credit_notes).toEqual([{ id: note.id, credit_note_number: av(1), type: "price_reduction", refund_id: refund.id, total_amount: 10000, issued_at: note.issued_at }]);
    expect(after.credit_note).toBeNull();
    expect(await invoiceTransitions(t.partnerId, invoice.id)).toEqual(["draft→issued", "issued→paid"]);
    // The list of invoices shows the same.
    const listed = (await expectOk(await call("/v1/invoices", { token: t.token, headers: { "x-entity-id": org.id } }))).data.find((i: { id: string }) => i.id === invoice.id);
    expect(listed).toMatchObject({ credited_amount: 10000, amount_due: 0, credit_notes: after.credit_notes });
    expect(await d1Refunds(pi)).toMatchObject([{ id: refund.id, type: "price_reduction", credit_note_id: note.id }]);

    // GET /v1/credit_notes lists it, filtered by invoice and type.
    expect((await expectOk(await cn.list())).data).toEqual([note]);
    expect((await expectOk(await cn.list(`invoice_id=${invoice.id}&type=price_reduction`))).data).toEqual([note]);
    expect((await expectOk(await cn.list("type=cancellation"))).data).toEqual([]);
    expect((await expectOk(await cn.list("invoice_id=inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"))).pagination).toMatchObject({ total_items: 0 });

    // Its event (credit_note.created, the object as the API shows it) and audit entry, once.
    const [event, ...more] = await eventsOf(t.partnerId, "credit_note.created");
    expect(more).toEqual([]);
    expect(event!.data).toEqual({ credit_note_id: note.id, credit_note: { ...note, document: { ...note.document, sha256: null, xml_sha256: null, generated_at: null } } });
    const audit = (await expectOk(await call(`/v1/audit_logs?resource_type=credit_note&resource_id=${note.id}`, { token: t.token, headers: { "x-entity-id": org.id } }))).data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "created", changes: { before: null, after: { id: note.id, credit_note_number: av(1), total_amount: 10000, refund_id: refund.id } } });

    // What remains, refunded without a reason: a repayment; the invoice owes the rest, not the credited 100 €.
    const rest = created(await r.create({ payment_intent_id: pi }));
    expect(rest).toMatchObject({ type: "repayment", amount: 32200 });
    await settleRefundsNow(pi);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "issued", amount_paid: 0, credited_amount: 10000, amount_due: 32200 });
    const reopened = (await eventsOf(t.partnerId, "invoice.status_changed")).at(-1)!;
    expect(reopened.data).toMatchObject({ previous_status: "paid", current_status: "issued", invoice: { amount_paid: 0, credited_amount: 10000, amount_due: 32200 } });
    expect(await expectOk(await r.get(rest.id))).toMatchObject({ status: "succeeded", credit_note_id: null });
    expect((await expectOk(await cn.list())).data).toHaveLength(1);
  });

  it("the same body with type repayment: the invoice partially paid with 100 € due, no credit note", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: REMISE, type: "repayment" }));
    expect(refund).toMatchObject({ type: "repayment", credit_note_id: null });
    await settleRefundsNow(pi);
    expect(await expectOk(await r.get(refund.id))).toMatchObject({ status: "succeeded", type: "repayment", credit_note_id: null });
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "partially_paid", amount_paid: 32200, credited_amount: 0, amount_due: 10000, credit_notes: [] });
    expect((await expectOk(await creditNotes(t.token, org.id).list())).data).toEqual([]);
    expect(await eventsOf(t.partnerId, "credit_note.created")).toEqual([]);
    expect(await avCounter(org.id)).toBe(0);
  });

  it("no reason, or an invoice not paid in full: a repayment by default", async () => {
    const { api: a, invoice, pi, refunds: r } = await paidWorld();
    expect(created(await r.create({ payment_intent_id: pi, amount: 1000 }))).toMatchObject({ type: "repayment" });
    await settleRefundsNow(pi);
    // Now partially paid: a reason alone no longer makes a price reduction.
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "partially_paid" });
    expect(created(await r.create({ payment_intent_id: pi, amount: 1000, reason: REMISE }))).toMatchObject({ type: "repayment" });
  });

  it("seed 001's total refund with its reason, verbatim: a credit note of the whole 422 €, the invoice paid with nothing due", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, reason: "Facture annulée suite à erreur de facturation" }));
    expect(refund).toMatchObject({ type: "price_reduction", amount: SEED_TOTAL });
    await settleRefundsNow(pi);
    const [note] = (await expectOk(await creditNotes(t.token, org.id).list())).data;
    // The whole invoice credited: its own breakdown.
    expect(note).toMatchObject({ total_amount: SEED_TOTAL, subtotal_amount: 40000, tax_amount: 2200, tax_breakdown: invoice.tax_breakdown, credit_note_number: av(1) });
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "paid", amount_paid: 0, credited_amount: SEED_TOTAL, amount_due: 0 });
  });

  it("mixed rates: one line per rate, in proportion to each rate's total including VAT, lines and totals consistent", async () => {
    const lineItems = [
      { description: "Abonnement", quantity: 1, unit_price: 10000, vat_rate: 20 },
      { description: "Eau", quantity: 12.5, unit_price: 320, vat_rate: 5.5 },
      { description: "Livres", quantity: 3, unit_price: 1999, vat_rate: 2.1 },
    ];
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld({ lineItems });
    const refund = created(await r.create({ payment_intent_id: pi, amount: 7777, reason: "Erreur de prix" }));
    await settleRefundsNow(pi);
    const note = await expectOk(await creditNotes(t.token, org.id).get((await expectOk(await r.get(refund.id))).credit_note_id));
    const expected = splitPriceReduction(7777, invoice.tax_breakdown, "Erreur de prix");
    expect(note).toMatchObject({ line_items: expected.line_items, subtotal_amount: expected.subtotal_amount, tax_amount: expected.tax_amount, total_amount: 7777, tax_breakdown: expected.tax_breakdown });
    expect(note.tax_breakdown.map((b: { vat_rate: number }) => b.vat_rate)).toEqual([2.1, 5.5, 20]);
    expect(note.subtotal_amount + note.tax_amount).toBe(7777);
    expect(note.line_items.reduce((s: number, l: { net_amount: number }) => s + l.net_amount, 0)).toBe(note.subtotal_amount);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "paid", credited_amount: 7777, amount_due: 0 });
  });

  it("explicit price reduction on a partially paid invoice: allowed; the credit note lowers the price, what is still due does not change", async () => {
    const { t, api: a, org, issued } = await payableWorld();
    const l = await link(a, issued.id, { amount: 20000 });
    await expectOk(await a.simulate(l.payment_intent_id, "succeeded"));
    expect(await expectOk(await a.getInvoice(issued.id))).toMatchObject({ status: "partially_paid", amount_paid: 20000, amount_due: 22200 });
    const r = refundApi(a);

    // A reason is not enough on a partially paid invoice; the type says it.
    const reduction = created(await r.create({ payment_intent_id: l.payment_intent_id, amount: 5000, reason: "Geste commercial", type: "price_reduction" }));
    expect(reduction.type).toBe("price_reduction");
    await settleRefundsNow(l.payment_intent_id);
    expect(await expectOk(await a.getInvoice(issued.id))).toMatchObject({ status: "partially_paid", amount_paid: 15000, credited_amount: 5000, amount_due: 22200 });
    expect((await expectOk(await creditNotes(t.token, org.id).list())).data).toMatchObject([{ total_amount: 5000, type: "price_reduction", refund_id: reduction.id }]);
  });

  it("a failed price reduction creates nothing: no credit note, no number taken; the next one is AV-…-00001", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const failing = created(await r.create({ payment_intent_id: pi, amount: 3000, reason: REMISE }));
    await holdRefunds(pi);
    await expectOk(await r.simulate(failing.id, "failed"));
    expect(await expectOk(await r.get(failing.id))).toMatchObject({ status: "failed", type: "price_reduction", credit_note_id: null });
    expect((await expectOk(await creditNotes(t.token, org.id).list())).data).toEqual([]);
    expect(await eventsOf(t.partnerId, "credit_note.created")).toEqual([]);
    expect(await avCounter(org.id)).toBe(0);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "paid", credited_amount: 0, amount_due: 0 });

    const ok = created(await r.create({ payment_intent_id: pi, amount: 3000, reason: REMISE }));
    await settleRefundsNow(pi);
    const note = await expectOk(await creditNotes(t.token, org.id).get((await expectOk(await r.get(ok.id))).credit_note_id));
    expect(note.credit_note_number).toBe(av(1));
  });

  it("shares the AV- series with cancellations, gap-free", async () => {
    const { t, api: a, org, dept, pi, refunds: r } = await paidWorld();
    const other = await expectOk(await a.createInvoice({ ...seedInvoiceBody(dept.id), due_date: "2099-01-01" }), 201);
    await expectOk(await a.issueInvoice(other.id));
    const cancelled = await expectOk(await a.cancelInvoice(other.id));
    expect(cancelled.credit_note).toMatchObject({ credit_note_number: av(1), type: "cancellation", refund_id: null, line_items: cancelled.line_items });
    expect(cancelled.credit_notes).toEqual([{ id: cancelled.credit_note.id, credit_note_number: av(1), type: "cancellation", refund_id: null, total_amount: SEED_TOTAL, issued_at: cancelled.credit_note.issued_at }]);
    created(await r.create({ payment_intent_id: pi, amount: 100, reason: REMISE }));
    await settleRefundsNow(pi);
    const list = (await expectOk(await creditNotes(t.token, org.id).list())).data;
    expect(list.map((n: { credit_note_number: string; type: string }) => [n.credit_note_number, n.type])).toEqual([
      [av(2), "price_reduction"],
      [av(1), "cancellation"],
    ]);
    // GET of a cancellation shows the invoice's own lines.
    expect(await expectOk(await creditNotes(t.token, org.id).get(cancelled.credit_note.id))).toMatchObject({ type: "cancellation", line_items: cancelled.line_items, total_amount: SEED_TOTAL });
  });

  it("an invoice credited in part, its payments then repaid, is cancelled by a credit note for the rest only", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    created(await r.create({ payment_intent_id: pi, amount: 10000, reason: REMISE }));
    await settleRefundsNow(pi);
    created(await r.create({ payment_intent_id: pi, type: "repayment" }));
    await settleRefundsNow(pi);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "issued", amount_paid: 0, credited_amount: 10000, amount_due: 32200 });

    const cancelled = await expectOk(await a.cancelInvoice(invoice.id));
    expect(cancelled).toMatchObject({ status: "cancelled", amount_due: 0 });
    // 40 000 − 9 479 of base and 2 200 − 521 of VAT: 32 200, what was still owed.
    expect(cancelled.credit_note).toMatchObject({
      credit_note_number: av(2),
      type: "cancellation",
      line_items: [{ description: `Annulation du solde de la facture n° ${invoice.invoice_number}`, quantity: 1, unit: "C62", unit_price: 30521, vat_rate: 5.5, net_amount: 30521 }],
      subtotal_amount: 30521,
      tax_amount: 1679,
      total_amount: 32200,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 30521, tax_amount: 1679 }],
    });
    expect(cancelled.credit_notes.map((n: { credit_note_number: string; total_amount: number }) => [n.credit_note_number, n.total_amount])).toEqual([
      [av(1), 10000],
      [av(2), 32200],
    ]);
    // The event and a later GET say the same, numbers included.
    const event = (await eventsOf(t.partnerId, "invoice.status_changed")).at(-1)!;
    expect(event.data.invoice.credit_notes).toEqual(cancelled.credit_notes);
    expect((await expectOk(await a.getInvoice(invoice.id))).credit_notes).toEqual(cancelled.credit_notes);
    expect((await expectOk(await creditNotes(t.token, org.id).list())).data.reduce((s: number, n: { total_amount: number }) => s + n.total_amount, 0)).toBe(SEED_TOTAL);
  });

  it("20 concurrent price reductions of 1 €: 20 credit notes AV-…-00001 to 00020, credited 20 €, the invoice paid", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld({ lineItems: [SMALL_LINE] });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => r.create({ payment_intent_id: pi, amount: 100, reason: `Remise ${i}` })));
    expect(results.map((x) => x.status)).toEqual(Array(20).fill(201));
    await settleRefundsNow(pi);
    const list = (await expectOk(await creditNotes(t.token, org.id).list("page_size=100"))).data;
    expect(list.map((n: { credit_note_number: string }) => n.credit_note_number).sort()).toEqual(Array.from({ length: 20 }, (_, i) => av(i + 1)));
    expect(new Set(list.map((n: { refund_id: string }) => n.refund_id))).toEqual(new Set(results.map((x) => x.body.id)));
    expect(await avCounter(org.id)).toBe(20);
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ status: "paid", amount_paid: SMALL_TOTAL - 2000, credited_amount: 2000, amount_due: 0 });
    expect((await d1Invoice(invoice.id)).amount_due).toBe(0);
  });
});

/** Points the object's projections at `db` (kept until the test puts it back). */
function projectThrough(instance: PaymentIntent, db: (() => Db) | null) {
  const target = instance as unknown as { projectionDb?: () => Db };
  if (db) target.projectionDb = db;
  else delete target.projectionDb;
}

describe("the credit note's projection", () => {
  it("replayed (twice, then by the object's own drain): one credit note, one event, the counter moved once, the next number follows", async () => {
    const { t, api: a, org, invoice, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 10000, reason: REMISE }));
    await holdRefunds(pi);
    const stub = intentStub(pi);
    const tenant = await tenantOf(pi);

    // D1 unreachable for this object: the settlement's record stays in its outbox, and we take it.
    const records = await runInDurableObject(stub, async (instance, state) => {
      projectThrough(instance, () => {
        throw new Error("D1 unreachable");
      });
      const settled = await instance.settleRefund(pi, { tenant, refundId: refund.id, outcome: "succeeded", actor: { id: "test", type: "partner" } });
      expect(settled).toMatchObject({ ok: true, refund: { status: "succeeded", credit_note_id: expect.stringMatching(/^cn-/) } });
      await state.storage.deleteAlarm();
      return state.storage.sql.exec<{ record: string }>("SELECT record FROM outbox ORDER BY seq").toArray().map((x) => JSON.parse(x.record) as ProjectionRecord);
    });
    const record = records.find((x) => x.credit_note)!;
    expect(record.credit_note).toMatchObject({ refund_id: refund.id, amounts: { total_amount: 10000 } });
    expect((await expectOk(await creditNotes(t.token, org.id).list())).data).toEqual([]);

    const db = createDb(env.DB);
    const first = await project(db, record);
    expect(first).toContain(record.credit_note!.event_id);
    const state = async () => ({
      notes: (await expectOk(await creditNotes(t.token, org.id).list())).data,
      counter: await avCounter(org.id),
      invoice: await d1Invoice(invoice.id),
      events: (await eventsOf(t.partnerId)).length,
      audit: (await env.DB.prepare("SELECT count(*) AS n FROM audit_logs WHERE partner_id = ?").bind(t.partnerId).first<{ n: number }>())!.n,
    });
    const once = await state();
    expect(once.notes).toHaveLength(1);
    expect(once.counter).toBe(1);
    expect(once.invoice).toMatchObject({ status: "paid", credited_amount: 10000, amount_paid: 32200, amount_due: 0 });

    expect(await project(db, record)).toEqual([]);
    expect(await state()).toEqual(once);
    // The object drains its outbox itself once D1 answers again: the same records, applied again.
    await runInDurableObject(stub, (instance) => projectThrough(instance, null));
    expect(await stub.reconcile(pi, tenant)).toMatchObject({ ok: true });
    expect(await state()).toEqual(once);

    // The next credit note takes the next number: no gap.
    const next = created(await r.create({ payment_intent_id: pi, amount: 100, reason: REMISE }));
    await settleRefundsNow(pi);
    const second = await expectOk(await creditNotes(t.token, org.id).get((await expectOk(await r.get(next.id))).credit_note_id));
    expect(second.credit_note_number).toBe(av(2));
    expect(await expectOk(await a.getInvoice(invoice.id))).toMatchObject({ credited_amount: 10100, amount_due: 0, status: "paid" });
  });
});

describe("the overdue sweep", () => {
  it("never marks a paid invoice with a credit note overdue; the same refund as a repayment is chased once past due", async () => {
    const today = parisToday();
    const reduced = await paidWorld({ dueDate: "2024-03-31" });
    created(await reduced.refunds.create({ payment_intent_id: reduced.pi, amount: 10000, reason: REMISE }));
    await settleRefundsNow(reduced.pi);
    expect((await expectOk(await reduced.api.sweep(today))).invoices_marked_overdue).toBe(0);
    expect(await expectOk(await reduced.api.getInvoice(reduced.invoice.id))).toMatchObject({ status: "paid", credited_amount: 10000, amount_due: 0 });

    const repaid = await paidWorld({ dueDate: "2024-03-31" });
    created(await repaid.refunds.create({ payment_intent_id: repaid.pi, amount: 10000, reason: REMISE, type: "repayment" }));
    await settleRefundsNow(repaid.pi);
    expect((await expectOk(await repaid.api.sweep(today))).invoices_marked_overdue).toBe(1);
    expect(await expectOk(await repaid.api.getInvoice(repaid.invoice.id))).toMatchObject({ status: "overdue", amount_due: 10000 });
  });
});

describe("input and tenancy", () => {
  it("a type that is not one → 400 naming it, nothing written", async () => {
    const { t, pi, refunds: r } = await paidWorld();
    const before = await refundRowCounts(t.partnerId);
    for (const type of ["discount", "", 1, null]) {
      const res = await r.create({ payment_intent_id: pi, amount: 100, reason: REMISE, type });
      expectError(res, 400, { param: "type" });
    }
    expect(await refundRowCounts(t.partnerId)).toEqual(before);
  });

  it("a credit note of another partner, of the live mode or of another organization → 404; their lists hold none of it; a token without invoices:read → 403", async () => {
    const { t, org, pi, refunds: r } = await paidWorld();
    const refund = created(await r.create({ payment_intent_id: pi, amount: 100, reason: REMISE }));
    await settleRefundsNow(pi);
    const id = (await expectOk(await r.get(refund.id))).credit_note_id as string;
    expect((await creditNotes(t.token, org.id).get(id)).status).toBe(200);

    const stranger = await createPartner();
    const strangerWorld = await seedWorld(stranger);
    const otherOrg = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, name: "Autre organisation" } }), 201);
    const live = await liveToken(t);
    for (const [label, reads] of [
      ["another partner", creditNotes(stranger.token, strangerWorld.org.id)],
      ["another partner naming the owner's organization", creditNotes(stranger.token, org.id)],
      ["the owner's live mode", creditNotes(live, org.id)],
      ["the owner's other organization", creditNotes(t.token, otherOrg.id)],
    ] as const) {
      expectError(await reads.get(id), 404, { type: "not_found_error" });
      const list = await reads.list();
      if (list.status === 200) expect(list.text, label).not.toContain(id);
      else expect(list.status, label).toBe(404);
    }
    expectError(await creditNotes(t.token, org.id).get("cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"), 404, { code: "resource_missing", param: "id" });
    expectError(await creditNotes(t.token, org.id).get("not-an-id"), 404, { code: "resource_missing" });

    const refundsOnly = await accessToken(await issueCredential(t.partnerId, "test", ["refunds:read"]));
    expectError(await creditNotes(refundsOnly, org.id).get(id), 403, { code: "insufficient_scope" });
    expectError(await creditNotes(refundsOnly, org.id).list(), 403, { code: "insufficient_scope" });
  });

  it("the OpenAPI document names the refund's type with its default rule, and the credit-note operations", async () => {
    const doc = (await call("/v1/openapi.json")).body;
    const create = doc.components.schemas.RefundCreate;
    expect(create.properties.type.enum).toEqual(["price_reduction", "repayment"]);
    expect(create.properties.type.description).toContain("Default: `price_reduction` when the invoice is paid in full");
    expect(doc.components.schemas.Refund.required).toEqual(expect.arrayContaining(["type", "credit_note_id"]));
    expect(doc.paths["/v1/credit_notes"].get.operationId).toBe("listCreditNotes");
    expect(doc.paths["/v1/credit_notes/{id}"].get.operationId).toBe("getCreditNote");
    expect(doc.components.schemas.Invoice.properties).toHaveProperty("credited_amount");
    expect(doc.components.schemas.Invoice.properties).toHaveProperty("credit_notes");
  });
});
