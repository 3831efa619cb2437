import { env } from "cloudflare:workers";
import { COLLECTED_PAYMENT_STATUSES } from "../../src/domain/payment";
import { call, createPartner, expectOk, SEED, seedWorld, type Tenant } from "../helpers/harness";
import { api, issuedInvoice, type Api } from "../payments/fixtures";
import { holdRefunds } from "../payments/refund-fixtures";

/**
 * A month of traffic for the report tests, generated through the API (invoices, links, sandbox
 * outcomes, refunds), then spread over the calendar by moving the dates of those real rows in D1:
 * the sandbox settles everything "now", and a reporting read only cares when things happened.
 */

export interface Placed {
  intentId: string;
  paymentId: string | null;
  invoiceId: string;
  departmentId: string;
  amount: number;
  method: "sepa_credit" | "card";
  paidAt: string;
}

/** One invoice of the department paid (or not) through a link of `amount` cents, then dated `at`. */
export async function payment(
  a: Api,
  departmentId: string,
  o: { amount: number; method: "sepa_credit" | "card"; at: string; outcome?: "succeeded" | "insufficient_funds" },
): Promise<Placed> {
  const invoice = await issuedInvoice(a, departmentId);
  const link = await expectOk(await a.createLink({ invoice_id: invoice.id, amount: o.amount, payment_methods: [o.method] }), 201);
  const intent = await expectOk(await a.simulate(link.payment_intent_id, o.outcome ?? "succeeded"));
  if (intent.status !== (o.outcome === "insufficient_funds" ? "failed" : "succeeded")) throw new Error(`unexpected intent: ${JSON.stringify(intent)}`);
  // The intent was created an hour before it was paid: both in the period the test means.
  const created = new Date(Date.parse(o.at) - 3_600_000).toISOString();
  await env.DB.prepare("UPDATE payment_intents SET created_at = ? WHERE id = ?").bind(created, link.payment_intent_id).run();
  const row = await env.DB.prepare("SELECT id FROM payments WHERE payment_intent_id = ?").bind(link.payment_intent_id).first<{ id: string }>();
  if (row) await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE id = ?").bind(o.at, row.id).run();
  return { intentId: link.payment_intent_id, paymentId: row?.id ?? null, invoiceId: invoice.id, departmentId, amount: o.amount, method: o.method, paidAt: o.at };
}

/** A payment received at the counter on a new invoice of the department (its department is the invoice's), voided if told. */
export async function offlinePayment(a: Api, departmentId: string, o: { amount: number; method: "cash" | "cheque"; at: string; voided?: boolean }) {
  const invoice = await issuedInvoice(a, departmentId);
  const headers = { "x-entity-id": a.orgId };
  const paid = await expectOk(await call(`/v1/invoices/${invoice.id}/payments`, { token: a.token, headers, body: { amount: o.amount, method: o.method, received_at: o.at, reference: "Caisse 1" } }), 201);
  if (o.voided) await expectOk(await call(`/v1/payments/${paid.id}/void`, { token: a.token, headers, body: { reason: "Enregistré deux fois" } }));
  return { paymentId: paid.id as string, invoiceId: invoice.id as string, departmentId, amount: o.amount };
}

/** A payment request (no invoice, so no department) paid by card in the sandbox, then dated `at`. */
export async function requestPayment(a: Api, o: { amount: number; currency: "EUR" | "USD"; at: string }) {
  const link = await expectOk(await a.createLink({ amount: o.amount, currency: o.currency, description: "Stage de voile", payer: { name: "Ann Smith" }, payment_methods: ["card"] }), 201);
  const intent = await expectOk(await a.simulate(link.payment_intent_id, "succeeded"));
  if (intent.status !== "succeeded") throw new Error(`unexpected intent: ${JSON.stringify(intent)}`);
  await env.DB.prepare("UPDATE payment_intents SET created_at = ? WHERE id = ?").bind(new Date(Date.parse(o.at) - 3_600_000).toISOString(), link.payment_intent_id).run();
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE payment_intent_id = ?").bind(o.at, link.payment_intent_id).run();
  return link.payment_intent_id as string;
}

/** A refund of `amount` on the payment, settled in the sandbox and dated `at` (or left pending). */
export async function refund(a: Api, p: Placed, amount: number, at: string | "pending") {
  const headers = { "x-entity-id": a.orgId };
  const created = await expectOk(await call("/v1/refunds", { token: a.token, headers, body: { payment_intent_id: p.intentId, amount } }), 201);
  if (at === "pending") {
    await holdRefunds(p.intentId);
    return created as { id: string; status: string };
  }
  await expectOk(await call(`/v1/sandbox/refunds/${created.id}/simulate`, { token: a.token, body: { outcome: "succeeded" } }));
  await env.DB.prepare("UPDATE refunds SET completed_at = ? WHERE id = ?").bind(at, created.id).run();
  return expectOk(await call(`/v1/refunds/${created.id}`, { token: a.token, headers }));
}

/**
 * Money on its way, not received: a card hold authorized on an invoice of the department and not
 * captured, which the ledger lists as a `pending` payment (then dated `at`).
 */
export async function pendingPayment(a: Api, departmentId: string, o: { amount: number; at: string }): Promise<Placed> {
  const invoice = await issuedInvoice(a, departmentId);
  const link = await expectOk(await a.createLink({ invoice_id: invoice.id, amount: o.amount, type: "preauth", payment_methods: ["card"] }), 201);
  const intent = await expectOk(await a.simulate(link.payment_intent_id, "succeeded"));
  if (intent.status !== "requires_capture") throw new Error(`unexpected intent: ${JSON.stringify(intent)}`);
  await env.DB.prepare("UPDATE payment_intents SET created_at = ? WHERE id = ?").bind(new Date(Date.parse(o.at) - 3_600_000).toISOString(), link.payment_intent_id).run();
  const row = await env.DB.prepare("SELECT id, status FROM payments WHERE payment_intent_id = ?").bind(link.payment_intent_id).first<{ id: string; status: string }>();
  if (row?.status !== "pending") throw new Error(`expected a pending ledger entry, got ${JSON.stringify(row)}`);
  await env.DB.prepare("UPDATE payments SET paid_at = ? WHERE id = ?").bind(o.at, row.id).run();
  return { intentId: link.payment_intent_id, paymentId: row.id, invoiceId: invoice.id, departmentId, amount: o.amount, method: "card", paidAt: o.at };
}

/** A partner with two organizations; the first has two departments. */
export async function reportWorld(t?: Tenant) {
  const tenant = t ?? (await createPartner());
  const w = await seedWorld(tenant);
  const dept2 = await expectOk(await call(`/v1/organizations/${w.org.id}/departments`, { token: tenant.token, body: { name: "Régie des Cantines", code: "REG-CANT-002" } }), 201);
  const org2 = await expectOk(await call("/v1/organizations", { token: tenant.token, body: { ...SEED.organization, name: "Mairie de Villeurbanne" } }), 201);
  const org2Dept = await expectOk(await call(`/v1/organizations/${org2.id}/departments`, { token: tenant.token, body: SEED.department }), 201);
  for (const d of [dept2, org2Dept]) {
    await expectOk(await call(`/v1/departments/${d.id}/bank_accounts`, { token: tenant.token, body: SEED.bankAccount }), 201);
    await expectOk(await call(`/v1/departments/${d.id}/kyc`, { token: tenant.token, body: SEED.kyc }), 201);
  }
  return { t: tenant, org: w.org, dept: w.dept, dept2, org2, org2Dept, a: api(tenant.token, w.org.id), a2: api(tenant.token, org2.id) };
}

type Payment = { id: string; amount: number; status: string; method: string; paid_at: string; invoice_id: string | null; department_id: string | null; currency: string };

/** Every payment GET /v1/payments lists for the query (all pages). */
export async function listAll(a: Api, query: string): Promise<Payment[]> {
  const out: Payment[] = [];
  for (let page = 1; ; page++) {
    const body = await expectOk(await a.listPayments(`${query}&page_size=100&page=${page}`));
    out.push(...body.data);
    if (page >= body.pagination.total_pages) return out;
  }
}

/** Money received (what the reports call collected): domain/payment.ts COLLECTED_PAYMENT_STATUSES. */
export const collected = (p: Payment) => (COLLECTED_PAYMENT_STATUSES as readonly string[]).includes(p.status);
export const sum = (ps: { amount: number }[]) => ps.reduce((s, p) => s + p.amount, 0);
