import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { call, createPartner, expectOk, seedInvoiceBody, seedWorld, type IssuedCredential, type Tenant } from "./harness";
import { recordedCall } from "./request-logs";

/**
 * The fixture world of the route matrix and the fuzzer: seedWorld, an issued invoice paid through
 * a link in the sandbox and partly refunded, a draft quote, a webhook subscription and an event, so every kind
 * of path parameter and body id of the OpenAPI document has a real object.
 */
export async function fixtureWorld(t: Tenant) {
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  const issued = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
  const link = await expectOk(await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: issued.id, payment_methods: ["sepa_credit", "card"] } }), 201);
  // Sent to the payer with that link (a message, in the sandbox outbox) before it is paid.
  await expectOk(await call(`/v1/invoices/${issued.id}/send`, { token: t.token, headers, body: { channel: "email" } }));
  await expectOk(await call(`/v1/sandbox/payment_intents/${link.payment_intent_id}/simulate`, { token: t.token, body: { outcome: "succeeded" } }));
  const paid = await expectOk(await call(`/v1/invoices/${issued.id}/payments`, { token: t.token, headers }));
  const refund = await expectOk(await call("/v1/refunds", { token: t.token, headers, body: { payment_intent_id: link.payment_intent_id, amount: 1000 } }), 201);
  const subscription = await expectOk(
    await call("/v1/webhook_subscriptions", { token: t.token, body: { url: "https://votreapp.fr/webhooks/payment-api", events: ["*"], organization_ids: [w.org.id] } }),
    201,
  );
  const events = await expectOk(await call("/v1/events?type=invoice.created", { token: t.token }));
  const quote = await expectOk(await call("/v1/quotes", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: undefined, valid_until: "2099-12-31" } }), 201);
  // An issued invoice cancelled: its credit note (AV-…), for the credit-note operations.
  const toCancel = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: { ...seedInvoiceBody(w.dept.id), due_date: "2099-01-01" } }), 201);
  await expectOk(await call(`/v1/invoices/${toCancel.id}/issue`, { method: "POST", token: t.token, headers }));
  const cancelled = await expectOk(await call(`/v1/invoices/${toCancel.id}/cancel`, { method: "POST", token: t.token, headers, body: { reason: "Erreur de facturation" } }));
  const dunningRule = await expectOk(await call(`/v1/organizations/${w.org.id}/dunning_rules`, { token: t.token, body: { offset_days: 7, channel: "email", template: "reminder_overdue" } }), 201);
  const messages = await expectOk(await call("/v1/messages", { token: t.token, headers }));
  // A call in the API call log (issue 15), recorded through the real queue consumer, for GET /v1/request_logs/{request_id}.
  const requestLog = await recordedCall(`/v1/organizations/${w.org.id}`, { token: t.token });
  return { ...w, message: messages.data[0] as { id: string }, partnerId: t.partnerId, credential: t.credential, token: t.token, issued, link, payment: paid.data[0], refund, subscription, event: events.data[0], quote, creditNote: cancelled.credit_note, dunningRule, requestLog };
}

export type World = Awaited<ReturnType<typeof fixtureWorld>>;

/** A partner on the enterprise plan (no rate limit: the fuzzer sends hundreds of requests) with its world. */
export async function newWorld(): Promise<World> {
  return fixtureWorld(await createPartner({ name: "Fuzz partner", plan: "enterprise" }));
}

/** The path of a documented operation, pointed at the world's objects (the matrix's concretePath, plus admin paths). */
export function concretePath(path: string, w: World): string {
  return path
    .replace("/v1/admin/partners/{id}", `/v1/admin/partners/${w.partnerId}`)
    .replace("{credential_id}", w.credential.id)
    .replace("/v1/organizations/{id}", `/v1/organizations/${w.org.id}`)
    .replace("/v1/departments/{id}", `/v1/departments/${w.dept.id}`)
    .replace("/v1/invoices/{id}/payments", `/v1/invoices/${w.issued.id}/payments`)
    // A draft has no Factur-X XML (409): the issued invoice has.
    .replace("/v1/invoices/{id}/xml", `/v1/invoices/${w.issued.id}/xml`)
    .replace("/v1/invoices/{id}", `/v1/invoices/${w.invoice.id}`)
    .replace("/v1/quotes/{id}", `/v1/quotes/${w.quote.id}`)
    .replace("/v1/credit_notes/{id}", `/v1/credit_notes/${w.creditNote.id}`)
    .replace("/v1/payment_links/{id}", `/v1/payment_links/${w.link.id}`)
    .replace("/v1/payment_intents/{id}", `/v1/payment_intents/${w.link.payment_intent_id}`)
    .replace("/v1/sandbox/payment_intents/{id}", `/v1/sandbox/payment_intents/${w.link.payment_intent_id}`)
    .replace("/v1/payments/{id}", `/v1/payments/${w.payment.id}`)
    .replace("/v1/refunds/{id}", `/v1/refunds/${w.refund.id}`)
    .replace("/v1/sandbox/refunds/{id}", `/v1/sandbox/refunds/${w.refund.id}`)
    .replace("/v1/webhook_subscriptions/{id}", `/v1/webhook_subscriptions/${w.subscription.id}`)
    .replace("/v1/events/{id}", `/v1/events/${w.event.id}`)
    .replace("/v1/messages/{id}", `/v1/messages/${w.message.id}`)
    .replace("/v1/request_logs/{request_id}", `/v1/request_logs/${w.requestLog.request_id}`)
    .replace("{dept_id}", w.dept.id)
    .replace("{rule_id}", w.dunningRule.id)
    .replace("{ba_id}", w.account.id)
    // A remittance statement's month (GET /v1/departments/{id}/remittances/{month}[.csv|.pdf]).
    .replace("{month}", "2026-03");
}

export const EXAMPLE_UUID = "0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b";

/**
 * The documented example, pointed at the world's objects (the matrix's portableBody), with the
 * token endpoint's placeholder client credentials replaced by the world's.
 */
export function portableBody(example: unknown, w: World): unknown {
  if (example === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(example)
      .replaceAll(`dept-${EXAMPLE_UUID}`, w.dept.id)
      .replaceAll(`ba-${EXAMPLE_UUID}`, w.account.id)
      .replaceAll(`inv-${EXAMPLE_UUID}`, w.issued.id)
      .replaceAll(`pi-${EXAMPLE_UUID}`, w.link.payment_intent_id)
      .replaceAll(`wh-sub-${EXAMPLE_UUID}`, w.subscription.id)
      .replaceAll("votre_client_id", w.credential.client_id)
      .replaceAll("votre_client_secret", w.credential.client_secret)
      .replaceAll("FR7612345678901234567890123", "FR7630006000011234567890189")
      .replace(/"due_date":"\d{4}-\d{2}-\d{2}"/g, '"due_date":"2099-12-31"')
      .replace(/"valid_until":"\d{4}-\d{2}-\d{2}"/g, '"valid_until":"2099-12-31"'),
  );
}

/** Ids of the world's objects, by kind: the fuzzer also puts them where another kind is expected. */
export function worldIds(w: World): string[] {
  return [w.org.id, w.dept.id, w.account.id, w.kyc.id, w.invoice.id, w.issued.id, w.link.id, w.link.payment_intent_id, w.payment.id, w.refund.id, w.subscription.id, w.event.id, w.quote.id, w.partnerId, w.credential.id, w.dunningRule.id, w.message.id];
}

export type Credential = IssuedCredential;

// ── quiescence ─────────────────────────────────────────────────────────────────────────

/** Timers due within this horizon are run now, so none fires in the middle of a request under test. */
const HORIZON_MS = 10 * 60_000;

/**
 * Lets every payment intent of the partner settle: Durable Object timers due soon (a sandbox
 * refund settles 1.5 s after it is created) are brought forward and run, and the outbox is
 * projected to D1. Without this, a timer firing between the "before" and "after" row counts of a
 * refused request would look like a write by that request. Reaches into the object's storage
 * on purpose (test-only: the same tables the object creates in its constructor).
 */
export async function quiesce(partnerId: string): Promise<void> {
  const { results } = await env.DB.prepare("SELECT id FROM payment_intents WHERE partner_id = ?").bind(partnerId).all<{ id: string }>();
  for (const { id } of results) {
    const stub = env.PAYMENT_INTENT.getByName(id);
    for (let round = 0; ; round++) {
      const busy = await runInDurableObject(stub, (instance, state) => {
        const now = Date.now();
        const sql = state.storage.sql;
        sql.exec("UPDATE timers SET due_at = ? WHERE due_at <= ?", now, now + HORIZON_MS);
        const due = sql.exec<{ n: number }>("SELECT count(*) AS n FROM timers WHERE due_at <= ?", now).one().n;
        const outbox = sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
        // Projections in flight in this instance (the outbox driver's private field; absent if it changes).
        const projecting = (instance as unknown as { outbox?: { projecting?: Map<number, unknown> } }).outbox?.projecting?.size ?? 0;
        return due + outbox + projecting;
      });
      if (busy === 0) break;
      if (round >= 50) throw new Error(`payment intent ${id} does not settle (${busy} timers/outbox records pending)`);
      if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 20));
    }
  }
}
