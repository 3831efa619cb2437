import { describe, expect, it } from "vitest";
import { checkInvariants, type Snapshot } from "../scripts/lib/invariants.mjs";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld } from "./helpers/harness";
import { expectInvariantsHold, snapshotOf } from "./helpers/invariants";
import { quiesce } from "./helpers/world";

/**
 * DESIGN.md §2's invariants (scripts/lib/invariants.mjs, the definition `npm run soak` checks
 * after its traffic) over a small concurrent run in workerd; then each check shown to catch the
 * violation it is about, on a copy of the run's real objects.
 */

async function concurrentRun() {
  const t = await createPartner({ plan: "enterprise" });
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  const post = (path: string, body?: unknown) => call(path, { method: "POST", token: t.token, headers, ...(body !== undefined ? { body } : {}) });

  // Six invoices issued at once: numbers 1 to 6, each once.
  const drafts = await Promise.all(
    Array.from({ length: 7 }, async () => expectOk(await post("/v1/invoices", { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" }), 201)),
  );
  const issued = await Promise.all(drafts.slice(0, 6).map(async (d) => expectOk(await post(`/v1/invoices/${d.id}/issue`))));
  const [full, split, refunded, cancelled, revoked, unpaid] = issued;

  // Links, paid concurrently; a second link over the amount due is refused while they are paid.
  const links = await Promise.all([
    expectOk(await post("/v1/payment_links", { invoice_id: full.id, payment_methods: ["card"] }), 201),
    expectOk(await post("/v1/payment_links", { invoice_id: split.id, amount: 20000, payment_methods: ["card"] }), 201),
    expectOk(await post("/v1/payment_links", { invoice_id: split.id, amount: 22200, payment_methods: ["card"] }), 201),
    expectOk(await post("/v1/payment_links", { invoice_id: refunded.id, payment_methods: ["sepa_credit"] }), 201),
  ]);
  const results = await Promise.all([
    ...links.map((l) => post(`/v1/sandbox/payment_intents/${l.payment_intent_id}/simulate`, { outcome: "succeeded" })),
    post("/v1/payment_links", { invoice_id: full.id, payment_methods: ["card"] }),
  ]);
  for (const r of results) expect(r.status, r.text).toBeLessThan(500);

  // Refunds racing on one payment, then all that remains, then one cent too many; a cancel of an
  // issued invoice (credit note) and of a draft; a revoked link.
  const pi = links[3]!.payment_intent_id;
  await Promise.all(Array.from({ length: 5 }, () => post("/v1/refunds", { payment_intent_id: pi, amount: 1000 })));
  await expectOk(await post("/v1/refunds", { payment_intent_id: pi }), 201);
  expect((await post("/v1/refunds", { payment_intent_id: pi, amount: 1 })).status).toBe(422);
  // Two price reductions at once on the invoice paid in full: two partial credit notes (issue 12).
  const full_pi = links[0]!.payment_intent_id;
  await Promise.all([2000, 3000].map(async (amount) => expectOk(await post("/v1/refunds", { payment_intent_id: full_pi, amount, reason: "Remise commerciale" }), 201)));
  await expectOk(await post(`/v1/invoices/${cancelled.id}/cancel`, { reason: "Erreur de facturation" }));
  await expectOk(await post(`/v1/invoices/${drafts[6].id}/cancel`, { reason: "Brouillon abandonné" }));
  const toRevoke = await expectOk(await post("/v1/payment_links", { invoice_id: revoked.id, payment_methods: ["card"] }), 201);
  await expectOk(await call(`/v1/payment_links/${toRevoke.id}`, { method: "DELETE", token: t.token, headers }));
  expect(unpaid.status).toBe("issued");

  // Refunds settle on the intents' own timers.
  await quiesce(t.partnerId);
  return { t, w, ids: { full: full.id, split: split.id, pi } };
}

const violated = (s: Snapshot) => checkInvariants(s).filter((c) => c.violations.length > 0).map((c) => c.invariant);
const copy = (s: Snapshot): Snapshot => structuredClone(s);

describe("DESIGN.md §2's invariants, as the soak checks them", () => {
  it("hold after concurrent issues, payments, refunds, cancels and revocations; and each check catches its violation", async () => {
    const { t, w, ids } = await concurrentRun();
    const checks = await expectInvariantsHold(t.token, w.org.id);
    // They looked at something: 8 invoices (6 numbered), 5 links, 5 intents, 6 refunds.
    const checked = Object.fromEntries(checks.map((c) => [c.invariant, c.checked]));
    expect(checked["invoice numbers unique and gap-free per series"]).toBe(6);
    expect(checked["no intent refunded above what it received (refunded_amount ≤ amount_received)"]).toBe(5);
    // The invoice paid in full stays paid with its two credit notes: nothing is owed again.
    const real0 = await snapshotOf(t.token, w.org.id);
    expect(real0.credit_notes!.filter((n) => n.type === "price_reduction")).toHaveLength(2);
    expect(real0.invoices.find((i) => i.id === ids.full)).toMatchObject({ status: "paid", credited_amount: 5000, amount_due: 0 });

    const real = await snapshotOf(t.token, w.org.id);
    const paidInvoice = (s: Snapshot) => s.invoices.find((i) => i.id === ids.full)!;
    const refundedIntent = (s: Snapshot) => s.intents.find((i) => i.id === ids.pi)!;
    const cases: [string, (s: Snapshot) => void][] = [
      ["no invoice paid above what it owes (amount_paid ≤ total − deposits − credited)", (s) => void (paidInvoice(s).amount_paid += 1)],
      ["invoice amount_paid = Σ its payments (amount − refunded_amount), amount_due = total − deposits − credited − paid (0 once cancelled)", (s) => void (s.payments.find((p) => p.invoice_id === ids.split)!.amount -= 1)],
      ["invoice amount_paid = Σ its payments (amount − refunded_amount), amount_due = total − deposits − credited − paid (0 once cancelled)", (s) => void (paidInvoice(s).amount_due += 5000)],
      ["invoice status matches its amounts", (s) => void (paidInvoice(s).status = "partially_paid")],
      ["one credit note per succeeded price reduction, for its amount; credited_amount = Σ them; AV- numbers gap-free", (s) => void (s.credit_notes = s.credit_notes!.filter((n, _, all) => n !== all.find((m) => m.type === "price_reduction")))],
      ["one credit note per succeeded price reduction, for its amount; credited_amount = Σ them; AV- numbers gap-free", (s) => void (paidInvoice(s).credited_amount = 0)],
      ["one credit note per succeeded price reduction, for its amount; credited_amount = Σ them; AV- numbers gap-free", (s) => void (s.credit_notes![0]!.credit_note_number = s.credit_notes![1]!.credit_note_number)],
      ["invoice numbers unique and gap-free per series", (s) => void (s.invoices.find((i) => i.id === ids.split)!.invoice_number = paidInvoice(s).invoice_number)],
      ["invoice numbers unique and gap-free per series", (s) => void (s.invoices = s.invoices.filter((i) => !i.invoice_number?.endsWith("-00003")))],
      ["an invoice's active links never exceed its amount due", (s) => void s.links.push({ id: "pl-extra", invoice_id: ids.full, status: "active", amount: 1 })],
      ["a paid intent has exactly one ledger entry, received, that matches it (amount, refunded); an unpaid one has none received", (s) => void s.payments.push({ ...s.payments[0]! })],
      ["no intent refunded above what it received (refunded_amount ≤ amount_received)", (s) => void (refundedIntent(s).refunded_amount = refundedIntent(s).amount_received + 1)],
      ["Σ succeeded refunds = refunded_amount; Σ refunds not failed ≤ amount_received", (s) => void (s.refunds[0]!.amount += 1)],
      ["exactly one event per change (created events; status_changed chains end at the object's status)", (s) => void (s.events = s.events.filter((e) => e.type !== "refund.created"))],
      ["exactly one event per change (created events; status_changed chains end at the object's status)", (s) => void s.events.push({ ...s.events.find((e) => e.type === "invoice.status_changed")!, id: "evt-twice" })],
      ["an audit entry for every change (created + each status change)", (s) => void (s.audit.invoice = s.audit.invoice.filter((a) => a.action !== "status_changed"))],
    ];
    expect(violated(real)).toEqual([]);
    for (const [invariant, breakIt] of cases) {
      const broken = copy(real);
      breakIt(broken);
      expect(violated(broken), `${invariant} (${breakIt.toString()})`).toContain(invariant);
    }
  });
});
