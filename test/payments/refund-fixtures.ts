import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { call, expectOk, seedInvoiceBody } from "../helpers/harness";
import { fireAlarm, intentStub, link, payableWorld, type Api } from "./fixtures";

/**
 * Fixtures of the refund tests: the refund calls a partner makes, a payment that succeeded in the
 * sandbox, and the two places a refund lives (the intent's Durable Object and its D1 projection).
 */

/** Refund calls about one organization (X-Entity-Id), plus the partner-level sandbox simulator. */
export function refundApi(a: Api) {
  const headers = { "x-entity-id": a.orgId };
  return {
    create: (body: unknown, extraHeaders: Record<string, string> = {}) => call("/v1/refunds", { token: a.token, headers: { ...headers, ...extraHeaders }, body }),
    get: (id: string) => call(`/v1/refunds/${id}`, { token: a.token, headers }),
    ofIntent: (intentId: string) => call(`/v1/payment_intents/${intentId}/refunds`, { token: a.token, headers }),
    simulate: (id: string, outcome: string, extraHeaders: Record<string, string> = {}) =>
      call(`/v1/sandbox/refunds/${id}/simulate`, { token: a.token, headers: extraHeaders, body: { outcome } }),
    auditLogs: (query: string) => call(`/v1/audit_logs?${query}`, { token: a.token, headers }),
  };
}

export type RefundApi = ReturnType<typeof refundApi>;

/**
 * A partner whose seed 001 invoice (42 200 cents, or the `lineItems` given) was paid in full
 * through one payment link in the sandbox: the intent is `succeeded`, the invoice `paid`.
 */
export async function paidWorld(options: { dueDate?: string; lineItems?: unknown[] } = {}) {
  const w = await payableWorld(options.dueDate ? { dueDate: options.dueDate } : {});
  let invoice = w.issued;
  if (options.lineItems) {
    const draft = await expectOk(await w.api.createInvoice({ ...seedInvoiceBody(w.dept.id), line_items: options.lineItems, due_date: options.dueDate ?? "2099-01-01" }), 201);
    invoice = await expectOk(await w.api.issueInvoice(draft.id));
  }
  const l = await link(w.api, invoice.id);
  const intent = await expectOk(await w.api.simulate(l.payment_intent_id, "succeeded"));
  if (intent.status !== "succeeded") throw new Error(`payment did not succeed: ${JSON.stringify(intent)}`);
  return { ...w, invoice, link: l, pi: l.payment_intent_id as string, intent, refunds: refundApi(w.api) };
}

/** 1 × 40.00 € at 5.5 %: 4 000 + 220 = 4 220 cents. */
export const SMALL_LINE = { description: "Abonnement annuel", quantity: 1, unit_price: 4000, vat_rate: 5.5 };
export const SMALL_TOTAL = 4220;

/**
 * Keeps the sandbox from settling this intent's pending refunds on its own (it would after
 * SANDBOX_REFUND_SETTLE_MS): their timers move far ahead, so a test decides when they settle.
 */
export async function holdRefunds(intentId: string) {
  await runInDurableObject(intentStub(intentId), (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = ? WHERE json_extract(timer, '$.kind') = 'refund_settle'", Date.now() + 3_600_000);
  });
}

/** Makes every pending refund of the intent due and fires the alarm, as the sandbox would in a second or two. */
export async function settleRefundsNow(intentId: string) {
  await runInDurableObject(intentStub(intentId), (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE json_extract(timer, '$.kind') = 'refund_settle'");
  });
  await fireAlarm(intentId);
}

/** The refunds the intent's object holds (the source of truth), oldest first. */
export async function objectRefunds(intentId: string) {
  return runInDurableObject(intentStub(intentId), (_instance, state) =>
    state.storage.sql
      .exec<{ json: string }>("SELECT json FROM refunds ORDER BY created_at, id")
      .toArray()
      .map((r) => JSON.parse(r.json) as Record<string, any>),
  );
}

/** The intent's refunds as projected to D1, oldest first. */
export async function d1Refunds(intentId: string) {
  return (await env.DB.prepare("SELECT * FROM refunds WHERE payment_intent_id = ? ORDER BY created_at, id").bind(intentId).all<any>()).results;
}

/** Every row a refund can write, for a partner: to prove a refused request wrote nothing. */
export async function refundRowCounts(partnerId: string) {
  return env.DB.prepare(
    `SELECT (SELECT count(*) FROM refunds WHERE partner_id = ?1) AS refunds,
            (SELECT count(*) FROM events WHERE partner_id = ?1) AS events,
            (SELECT count(*) FROM audit_logs WHERE partner_id = ?1) AS audit_logs,
            (SELECT coalesce(sum(refunded_amount), 0) FROM payments WHERE partner_id = ?1) AS ledger_refunded,
            (SELECT coalesce(sum(refunded_amount), 0) FROM payment_intents WHERE partner_id = ?1) AS intents_refunded,
            (SELECT coalesce(sum(amount_paid), 0) FROM invoices WHERE partner_id = ?1) AS invoices_paid`,
  )
    .bind(partnerId)
    .first();
}
