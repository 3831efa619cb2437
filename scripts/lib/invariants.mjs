// The invariants of DESIGN.md §2 (money, numbering, history), as checks over what the public API
// returns. One definition for `npm run soak` (which reads the API over HTTP after its traffic)
// and for the tests in workerd (test/helpers/invariants.ts reads it through the worker): plain
// JavaScript with no import, so both Node and workerd load it as is.

/**
 * @typedef {{ id: string, organization_id?: string, status: string, total_amount: number, deposits_amount?: number, credited_amount?: number, amount_paid: number, amount_due: number, invoice_number?: string | null }} Invoice
 * @typedef {{ id: string, invoice_id: string | null, payment_intent_id: string | null, amount: number, refunded_amount: number, status: string }} Payment
 * @typedef {{ id: string, status: string, amount_received: number, refunded_amount: number }} PaymentIntent
 * @typedef {{ id: string, invoice_id: string, status: string, amount: number }} PaymentLink
 * @typedef {{ id: string, payment_intent_id: string, status: string, amount: number, type?: string, credit_note_id?: string | null }} Refund
 * @typedef {{ id: string, invoice_id: string, credit_note_number: string, type: string, refund_id: string | null, total_amount: number, organization_id?: string }} CreditNote
 * @typedef {{ id: string, type: string, created_at: string, data: any }} Event
 * @typedef {{ resource_id: string, action: string, changes?: any }} AuditEntry
 * @typedef {{
 *   invoices: Invoice[], payments: Payment[], intents: PaymentIntent[], links: PaymentLink[], refunds: Refund[], events: Event[], credit_notes?: CreditNote[],
 *   audit: { invoice: AuditEntry[], payment_intent: AuditEntry[], refund: AuditEntry[], payment_link: AuditEntry[] },
 * }} Snapshot
 * @typedef {{ invariant: string, checked: number, violations: string[] }} Check
 */

/** Statuses of an intent that has received money (the ledger has its entry). */
const HAS_MONEY = ["succeeded", "partially_refunded", "refunded"];
/** Ledger statuses of money received (src/domain/payment.ts COLLECTED_PAYMENT_STATUSES): a voided, pending or failed payment pays nothing. */
const COLLECTED = ["completed", "partially_refunded", "refunded"];

/**
 * @template T, K
 * @param {T[]} items
 * @param {(item: T) => K} key
 * @returns {Map<K, T[]>}
 */
export function byKey(items, key) {
  const m = new Map();
  for (const it of items) {
    const k = key(it);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(it);
  }
  return m;
}

/**
 * Walks status-change events sorted by the object's version: a chain from `first` to `current`.
 * @param {Event[]} events
 * @param {string} first
 * @param {string} current
 * @param {(e: Event) => number} versionOf
 * @returns {string | null} what is wrong, or null
 */
function chainProblems(events, first, current, versionOf) {
  const sorted = [...events].sort((a, b) => versionOf(a) - versionOf(b) || a.created_at.localeCompare(b.created_at));
  let at = first;
  const seen = new Set();
  for (const e of sorted) {
    const v = versionOf(e);
    if (seen.has(v)) return `two events at version ${v}`;
    seen.add(v);
    if (e.data.previous_status !== at) return `event ${e.id} goes ${e.data.previous_status} → ${e.data.current_status} but the previous event left it ${at}`;
    at = e.data.current_status;
  }
  if (at !== current) return `events end at ${at}, object is ${current}`;
  return null;
}

/**
 * Every invariant over one partner's objects (one mode). Each check lists its violations,
 * human-readable; an empty list means it holds.
 * @param {Snapshot} s
 * @returns {Check[]}
 */
export function checkInvariants(s) {
  /** @type {Check[]} */
  const checks = [];
  const add = (/** @type {string} */ invariant, /** @type {number} */ checked, /** @type {string[]} */ violations) => checks.push({ invariant, checked, violations });
  const { invoices, payments, intents, links, refunds, events, audit } = s;

  // 1. Invoices and the ledger.
  const paymentsByInvoice = byKey(payments, (p) => p.invoice_id);
  const over = [];
  const sums = [];
  const statusMismatch = [];
  for (const inv of invoices) {
    // What the payer owes in all: the total less deducted deposits and partial credit notes.
    const payable = inv.total_amount - (inv.deposits_amount ?? 0) - (inv.credited_amount ?? 0);
    if (inv.amount_paid > payable) over.push(`${inv.id}: amount_paid ${inv.amount_paid} > payable ${payable} (total ${inv.total_amount})`);
    const ledger = (paymentsByInvoice.get(inv.id) ?? []).filter((p) => COLLECTED.includes(p.status)).reduce((n, p) => n + p.amount - p.refunded_amount, 0);
    // A cancelled invoice (nothing was paid on it) owes nothing.
    const due = inv.status === "cancelled" ? 0 : payable - inv.amount_paid;
    if (ledger !== inv.amount_paid || inv.amount_due !== due) {
      sums.push(`${inv.id}: amount_paid ${inv.amount_paid}, Σ payments (amount − refunded) ${ledger}, amount_due ${inv.amount_due}, total ${inv.total_amount}, payable ${payable}`);
    }
    const expected =
      inv.status === "draft" || inv.status === "cancelled"
        ? inv.amount_paid === 0
        : inv.amount_paid >= payable
          ? inv.status === "paid"
          : inv.amount_paid > 0
            ? inv.status === "partially_paid"
            : inv.status === "issued" || inv.status === "overdue";
    if (!expected) statusMismatch.push(`${inv.id}: ${inv.status} with amount_paid ${inv.amount_paid} of ${inv.total_amount}`);
  }
  add("no invoice paid above what it owes (amount_paid ≤ total − deposits − credited)", invoices.length, over);
  add("invoice amount_paid = Σ its payments (amount − refunded_amount), amount_due = total − deposits − credited − paid (0 once cancelled)", invoices.length, sums);
  add("invoice status matches its amounts", invoices.length, statusMismatch);

  // Numbers: one gap-free series per organization and prefix (FAC-2026-…), starting at 1.
  const numbered = invoices.filter((i) => i.invoice_number);
  const numberProblems = [];
  for (const [series, list] of byKey(numbered, (i) => `${i.organization_id ?? ""} ${String(i.invoice_number).replace(/-\d+$/, "")}`.trim())) {
    const seqs = list.map((i) => Number(String(i.invoice_number).split("-").at(-1))).sort((a, b) => a - b);
    const dups = seqs.filter((n, i) => i > 0 && n === seqs[i - 1]);
    if (dups.length) numberProblems.push(`${series}: duplicated ${dups.slice(0, 5).join(", ")}`);
    if (seqs[0] !== 1 || seqs.at(-1) !== seqs.length) numberProblems.push(`${series}: ${seqs.length} numbers from ${seqs[0]} to ${seqs.at(-1)} (gaps)`);
  }
  add("invoice numbers unique and gap-free per series", numbered.length, numberProblems);

  // Credit notes (issue 12): a succeeded price reduction has exactly its one credit note, for its
  // amount; an invoice's credited_amount is the sum of its price reductions; AV- numbers gap-free.
  const notes = s.credit_notes ?? [];
  const creditProblems = [];
  const notesByRefund = byKey(notes.filter((n) => n.refund_id), (n) => n.refund_id);
  for (const r of refunds) {
    const mine = notesByRefund.get(r.id) ?? [];
    const wanted = r.type === "price_reduction" && r.status === "succeeded" ? 1 : 0;
    if (mine.length !== wanted || (wanted === 1 && (mine[0].total_amount !== r.amount || r.credit_note_id !== mine[0].id))) {
      creditProblems.push(`${r.id} (${r.type ?? "repayment"}, ${r.status}, ${r.amount}): ${mine.length} credit notes ${mine.map((n) => `${n.id}/${n.total_amount}`).join(" ")}, credit_note_id ${r.credit_note_id ?? null}`);
    }
  }
  const notesByInvoice = byKey(notes.filter((n) => n.type === "price_reduction"), (n) => n.invoice_id);
  for (const inv of invoices) {
    const sum = (notesByInvoice.get(inv.id) ?? []).reduce((n, c) => n + c.total_amount, 0);
    if ((inv.credited_amount ?? 0) !== sum) creditProblems.push(`${inv.id}: credited_amount ${inv.credited_amount}, Σ price-reduction credit notes ${sum}`);
  }
  for (const [series, list] of byKey(notes, (n) => `${n.organization_id ?? ""} ${n.credit_note_number.replace(/-\d+$/, "")}`.trim())) {
    const seqs = list.map((n) => Number(n.credit_note_number.split("-").at(-1))).sort((a, b) => a - b);
    if (seqs.some((n, i) => n !== i + 1)) creditProblems.push(`${series}: ${seqs.length} numbers ${seqs.slice(0, 10).join(", ")}… (gaps or duplicates)`);
  }
  add("one credit note per succeeded price reduction, for its amount; credited_amount = Σ them; AV- numbers gap-free", refunds.length + invoices.length + notes.length, creditProblems);

  const activeByInvoice = byKey(links.filter((l) => l.status === "active"), (l) => l.invoice_id);
  const invoiceById = new Map(invoices.map((i) => [i.id, i]));
  const linkOver = [];
  for (const [invId, ls] of activeByInvoice) {
    const sum = ls.reduce((n, l) => n + l.amount, 0);
    const inv = invoiceById.get(invId);
    if (inv && sum > inv.amount_due) linkOver.push(`${invId}: active links ${sum} > amount_due ${inv.amount_due} (${ls.length} links)`);
  }
  add("an invoice's active links never exceed its amount due", activeByInvoice.size, linkOver);

  // 2. Intents, ledger, refunds.
  const paymentsByIntent = byKey(payments, (p) => p.payment_intent_id);
  const refundsByIntent = byKey(refunds, (r) => r.payment_intent_id);
  const ledgerProblems = [];
  const refundedOver = [];
  const refundSums = [];
  for (const i of intents) {
    const ps = paymentsByIntent.get(i.id) ?? [];
    const hasMoney = HAS_MONEY.includes(i.status);
    if (hasMoney && (ps.length !== 1 || !COLLECTED.includes(ps[0].status) || ps[0].amount !== i.amount_received || ps[0].refunded_amount !== i.refunded_amount)) {
      ledgerProblems.push(`${i.id} (${i.status}, received ${i.amount_received}, refunded ${i.refunded_amount}): ${ps.length} payments ${ps.map((p) => `${p.amount}/${p.refunded_amount}`).join(" ")}`);
    }
    // Money not received: at most one entry (pending, failed or a released hold), never one that counts as received.
    if (!hasMoney && (ps.length > 1 || ps.some((p) => COLLECTED.includes(p.status)) || i.amount_received !== 0)) {
      ledgerProblems.push(`${i.id} (${i.status}): received ${i.amount_received}, ${ps.length} payments ${ps.map((p) => p.status).join(" ")}`);
    }
    if (i.refunded_amount > i.amount_received) refundedOver.push(`${i.id}: refunded ${i.refunded_amount} > received ${i.amount_received}`);
    const rs = refundsByIntent.get(i.id) ?? [];
    const succeeded = rs.filter((r) => r.status === "succeeded").reduce((n, r) => n + r.amount, 0);
    const committed = rs.filter((r) => r.status !== "failed").reduce((n, r) => n + r.amount, 0);
    if (succeeded !== i.refunded_amount || committed > i.amount_received) {
      refundSums.push(`${i.id}: refunded_amount ${i.refunded_amount}, Σ succeeded refunds ${succeeded}, Σ not failed ${committed}, received ${i.amount_received}`);
    }
  }
  add("a paid intent has exactly one ledger entry, received, that matches it (amount, refunded); an unpaid one has none received", intents.length, ledgerProblems);
  add("no intent refunded above what it received (refunded_amount ≤ amount_received)", intents.length, refundedOver);
  add("Σ succeeded refunds = refunded_amount; Σ refunds not failed ≤ amount_received", intents.filter((i) => i.amount_received > 0).length, refundSums);

  // 3. Events: exactly one per change.
  const eventsOf = (/** @type {string} */ type, /** @type {string} */ idField) => byKey(events.filter((e) => e.type === type), (e) => e.data[idField]);
  const invCreated = eventsOf("invoice.created", "invoice_id");
  const invChanged = eventsOf("invoice.status_changed", "invoice_id");
  const linkCreated = eventsOf("payment_link.created", "payment_link_id");
  const piChanged = eventsOf("payment_intent.status_changed", "payment_intent_id");
  const refCreated = eventsOf("refund.created", "refund_id");
  const refChanged = eventsOf("refund.status_changed", "refund_id");
  const evProblems = [];
  for (const inv of invoices) {
    const n = invCreated.get(inv.id)?.length ?? 0;
    if (n !== 1) evProblems.push(`${inv.id}: ${n} invoice.created`);
    const chain = chainProblems(invChanged.get(inv.id) ?? [], "draft", inv.status, (e) => e.data.invoice?.version ?? 0);
    if (chain) evProblems.push(`${inv.id} invoice.status_changed: ${chain}`);
  }
  for (const l of links) if ((linkCreated.get(l.id)?.length ?? 0) !== 1) evProblems.push(`${l.id}: ${linkCreated.get(l.id)?.length ?? 0} payment_link.created`);
  for (const i of intents) {
    const chain = chainProblems(piChanged.get(i.id) ?? [], "created", i.status, (e) => e.data.payment_intent?.version ?? 0);
    if (chain) evProblems.push(`${i.id} payment_intent.status_changed: ${chain}`);
  }
  for (const r of refunds) {
    const c = refCreated.get(r.id)?.length ?? 0;
    const n = refChanged.get(r.id)?.length ?? 0;
    if (c !== 1 || n !== (r.status === "pending" ? 0 : 1)) evProblems.push(`${r.id} (${r.status}): ${c} refund.created, ${n} refund.status_changed`);
  }
  add("exactly one event per change (created events; status_changed chains end at the object's status)", invoices.length + links.length + intents.length + refunds.length, evProblems);

  // 4. The audit trail: an entry for every change.
  const auditProblems = [];
  const aInv = byKey(audit.invoice, (a) => a.resource_id);
  const aPi = byKey(audit.payment_intent, (a) => a.resource_id);
  const aRef = byKey(audit.refund, (a) => a.resource_id);
  const aLink = byKey(audit.payment_link, (a) => a.resource_id);
  for (const inv of invoices) {
    const a = aInv.get(inv.id) ?? [];
    const created = a.filter((x) => x.action === "created").length;
    const changed = a.filter((x) => x.action === "status_changed").length;
    const ev = invChanged.get(inv.id)?.length ?? 0;
    if (created !== 1 || changed !== ev || (inv.status !== "draft" && changed === 0)) {
      auditProblems.push(`${inv.id} (${inv.status}): ${created} created, ${changed} status_changed audit entries for ${ev} status events`);
    }
  }
  for (const i of intents) {
    const changed = (aPi.get(i.id) ?? []).filter((x) => x.changes?.before?.status !== undefined && x.changes.before.status !== x.changes?.after?.status).length;
    const ev = piChanged.get(i.id)?.length ?? 0;
    if (changed !== ev) auditProblems.push(`${i.id} (${i.status}): ${changed} status-changing audit entries for ${ev} status events`);
  }
  for (const r of refunds) {
    const a = aRef.get(r.id) ?? [];
    const created = a.filter((x) => x.action === "created").length;
    const changed = a.filter((x) => x.action === "status_changed").length;
    if (created !== 1 || changed !== (r.status === "pending" ? 0 : 1)) auditProblems.push(`${r.id} (${r.status}): ${created} created, ${changed} status_changed audit entries`);
  }
  for (const l of links) {
    const created = (aLink.get(l.id) ?? []).filter((x) => x.action === "created").length;
    if (created !== 1) auditProblems.push(`${l.id}: ${created} created audit entries`);
  }
  add("an audit entry for every change (created + each status change)", invoices.length + intents.length + refunds.length + links.length, auditProblems);

  return checks;
}
