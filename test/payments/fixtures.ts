import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { sandboxBank } from "../../src/providers/sandbox-bank";
import type { ProviderStep } from "../../src/providers/types";
import { accessToken, call, createPartner, expectOk, issueCredential, seedInvoiceBody, seedWorld, type CallResult, type Tenant } from "../helpers/harness";

/**
 * Shared fixtures of the payment tests (payment links, intents, projection, ledger). Everything
 * goes through the API as a partner would, except where a test reaches into a Durable Object
 * or D1 on purpose (and says so).
 */

/** Seed 001 invoice: 125 × 3.20 € at 5.5 % = 42 200 cents (DESIGN.md: the guide's 42 220 is a slip). */
export const SEED_TOTAL = 42200;

/** Seed 001 "Étape 3", verbatim but for the invoice id. Its expires_at (2024) is in the past. */
export function seedLinkBody(invoiceId: string) {
  return {
    invoice_id: invoiceId,
    payment_methods: ["sepa_credit", "card"],
    return_url: "https://votreapp.fr/payment/success",
    expires_at: "2024-03-31T23:59:59Z",
  };
}

export const FUTURE_EXPIRY = "2099-03-31T23:59:59.000Z";
export const UNKNOWN_INVOICE = "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
export const UNKNOWN_INTENT = "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";
export const PAYER = { id: "payer-test", type: "payer" as const };

/** Calls a partner makes about one organization (X-Entity-Id). */
export function api(token: string, orgId: string) {
  const headers = { "x-entity-id": orgId };
  const q = (query?: string) => (query ? `?${query}` : "");
  return {
    token,
    orgId,
    createLink: (body: unknown) => call("/v1/payment_links", { token, headers, body }),
    getLink: (id: string) => call(`/v1/payment_links/${id}`, { token, headers }),
    listLinks: (query?: string) => call(`/v1/payment_links${q(query)}`, { token, headers }),
    revokeLink: (id: string) => call(`/v1/payment_links/${id}`, { method: "DELETE", token, headers }),
    getIntent: (id: string) => call(`/v1/payment_intents/${id}`, { token, headers }),
    listIntents: (query?: string) => call(`/v1/payment_intents${q(query)}`, { token, headers }),
    getInvoice: (id: string) => call(`/v1/invoices/${id}`, { token, headers }),
    createInvoice: (body: unknown) => call("/v1/invoices", { token, headers, body }),
    issueInvoice: (id: string) => call(`/v1/invoices/${id}/issue`, { method: "POST", token, headers }),
    cancelInvoice: (id: string) => call(`/v1/invoices/${id}/cancel`, { method: "POST", token, headers }),
    invoicePayments: (id: string) => call(`/v1/invoices/${id}/payments`, { token, headers }),
    listPayments: (query?: string) => call(`/v1/payments${q(query)}`, { token, headers }),
    getPayment: (id: string) => call(`/v1/payments/${id}`, { token, headers }),
    simulate: (intentId: string, outcome: string) => call(`/v1/sandbox/payment_intents/${intentId}/simulate`, { token, body: { outcome } }),
    sweep: (asOf: string) => call("/v1/sandbox/sweeps", { token, body: { as_of: asOf } }),
  };
}

export type Api = ReturnType<typeof api>;

/** A partner with the seed 001 world and an issued invoice of 42 200 cents (due far ahead unless told). */
export async function payableWorld(options: { dueDate?: string; t?: Tenant } = {}) {
  const t = options.t ?? (await createPartner());
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const invoice = await issuedInvoice(a, w.dept.id, options.dueDate ?? "2099-01-01");
  return { t, ...w, api: a, issued: invoice };
}

export async function issuedInvoice(a: Api, deptId: string, dueDate = "2099-01-01") {
  const draft = await expectOk(await a.createInvoice({ ...seedInvoiceBody(deptId), due_date: dueDate }), 201);
  return expectOk(await a.issueInvoice(draft.id));
}

export async function liveToken(t: Tenant): Promise<string> {
  return accessToken(await issueCredential(t.partnerId, "live"));
}

export async function link(a: Api, invoiceId: string, extra: Record<string, unknown> = {}) {
  return expectOk(await a.createLink({ invoice_id: invoiceId, payment_methods: ["sepa_credit", "card"], ...extra }), 201);
}

/** Asserts the error envelope: status, then the fields of `error` given. */
export function expectError(res: CallResult, status: number, error: Record<string, unknown>) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.body.error).toMatchObject(error);
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
}

/** Rows of a partner in every table a payment operation writes to. */
export async function rowCounts(partnerId: string) {
  const row = await env.DB.prepare(
    `SELECT (SELECT count(*) FROM payment_links WHERE partner_id = ?1) AS payment_links,
            (SELECT count(*) FROM payment_intents WHERE partner_id = ?1) AS payment_intents,
            (SELECT count(*) FROM payments WHERE partner_id = ?1) AS payments,
            (SELECT count(*) FROM events WHERE partner_id = ?1) AS events,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs`,
  )
    .bind(partnerId)
    .first<{ payment_links: number; payment_intents: number; payments: number; events: number; audit_logs: number }>();
  return row!;
}

export interface StoredEvent {
  id: string;
  type: string;
  data: any;
}

/** The partner's events in the order written (ids are UUIDv7: they sort by time). */
export async function eventsOf(partnerId: string, type?: string): Promise<StoredEvent[]> {
  const { results } = await env.DB.prepare(`SELECT id, type, data FROM events WHERE partner_id = ? ${type ? "AND type = ?" : ""} ORDER BY created_at, id`)
    .bind(...(type ? [partnerId, type] : [partnerId]))
    .all<{ id: string; type: string; data: string }>();
  return results.map((r) => ({ id: r.id, type: r.type, data: JSON.parse(r.data) }));
}

/** `previous→current` of every payment_intent.status_changed of one intent, in order. */
export async function intentTransitions(partnerId: string, intentId: string): Promise<string[]> {
  return (await eventsOf(partnerId, "payment_intent.status_changed"))
    .filter((e) => e.data.payment_intent_id === intentId)
    .map((e) => `${e.data.previous_status}→${e.data.current_status}`);
}

export async function invoiceTransitions(partnerId: string, invoiceId: string): Promise<string[]> {
  return (await eventsOf(partnerId, "invoice.status_changed"))
    .filter((e) => e.data.invoice_id === invoiceId)
    .map((e) => `${e.data.previous_status}→${e.data.current_status}`);
}

export async function d1Intent(id: string) {
  return env.DB.prepare("SELECT * FROM payment_intents WHERE id = ?").bind(id).first<any>();
}

export async function d1Invoice(id: string) {
  return env.DB.prepare("SELECT status, amount_paid, amount_due, total_amount, credited_amount, paid_at, version FROM invoices WHERE id = ?").bind(id).first<any>();
}

export async function d1Link(id: string) {
  return env.DB.prepare("SELECT status, completed_at, revoked_at FROM payment_links WHERE id = ?").bind(id).first<any>();
}

export async function ledgerOf(invoiceId: string) {
  return (await env.DB.prepare("SELECT * FROM payments WHERE invoice_id = ? ORDER BY paid_at, id").bind(invoiceId).all<any>()).results;
}

export function intentStub(intentId: string) {
  return env.PAYMENT_INTENT.getByName(intentId);
}

/**
 * Whose intent this is, as every call to its Durable Object must say (the object refuses any
 * other tenant). Read from the intent's D1 row; an unknown intent gets a tenant nobody has.
 */
export async function tenantOf(intentId: string): Promise<{ partnerId: string; livemode: boolean; organizationId: string }> {
  const row = await env.DB.prepare("SELECT partner_id, livemode, organization_id FROM payment_intents WHERE id = ?").bind(intentId).first<any>();
  return row
    ? { partnerId: row.partner_id, livemode: row.livemode === 1, organizationId: row.organization_id }
    : { partnerId: "ptn-nobody", livemode: false, organizationId: "org-nobody" };
}

/** What the intent's object holds in its own SQLite storage. */
export async function objectStorage(intentId: string) {
  return runInDurableObject(intentStub(intentId), async (_instance, state) => {
    const sql = state.storage.sql;
    const [row] = sql.exec<{ json: string }>("SELECT json FROM state").toArray();
    return {
      state: row ? JSON.parse(row.json) : null,
      outbox: sql.exec<{ record: string }>("SELECT record FROM outbox ORDER BY seq").toArray().map((r) => JSON.parse(r.record)),
      timers: sql.exec<{ due_at: number; timer: string }>("SELECT due_at, timer FROM timers ORDER BY due_at, id").toArray().map((r) => ({ due_at: r.due_at, ...JSON.parse(r.timer) })),
      alarm: await state.storage.getAlarm(),
    };
  });
}

/** Makes the object's timers of one kind due now (the alarm then fires them). */
export async function makeTimersDue(intentId: string, kind: "expire" | "provider_step") {
  await runInDurableObject(intentStub(intentId), (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE json_extract(timer, '$.kind') = ?", kind);
  });
}

/**
 * Stops the object's clock at `at` (ms) until it is set again or the object is evicted: its
 * timers come due when a test moves the clock, not as real time passes. Keep it at or ahead of
 * real time: the alarm the object arms then lies in the future, so the runtime never fires it
 * during the test, and `runDurableObjectAlarm` runs it when the test says.
 */
export async function setObjectClock(intentId: string, at: number) {
  await runInDurableObject(intentStub(intentId), (instance) => {
    (instance as unknown as { now: () => number }).now = () => at;
  });
}

/**
 * Runs the object's alarm now and returns once what it fired is in D1. If the runtime is already
 * running it (it came due on its own), no alarm is set and `runDurableObjectAlarm` does nothing:
 * the handler is then run directly, and its drain waits for the records in flight.
 */
export async function fireAlarm(intentId: string) {
  const stub = intentStub(intentId);
  if (await runDurableObjectAlarm(stub)) return;
  await runInDurableObject(stub, (instance) => instance.alarm());
}

/** Polls until `check` passes (for work the runtime finishes on its own, e.g. the init call). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The intent's object has received its init call (made right after the link was written). */
export async function initialized(intentId: string) {
  const s = await eventually(() => objectStorage(intentId), (x) => x.state !== null);
  expect(s.state).not.toBeNull();
  return s;
}

/** The seed's sandbox IBANs: …123 settles, …124 insufficient funds, …125 account blocked. */
export const OK_IBAN = "FR7612345678901234567890123";
export const POOR_IBAN = "FR7612345678901234567890124";
export const BLOCKED_IBAN = "FR7612345678901234567890125";

/** What the sandbox bank answers once the payer passed strong authentication with an account. */
export function bankSteps(debtorIban: string): ProviderStep[] {
  const auth = sandboxBank.authorize({ debtorIban, scaCode: "123456" });
  if (!auth.ok) throw new Error("sandbox SCA refused");
  return auth.steps;
}
