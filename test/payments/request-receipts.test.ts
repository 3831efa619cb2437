// Issue 13: the receipt ("ticket de paiement") of a payment request without an invoice, and of a
// captured card hold: emailed to the request's payer, and rendered by GET /v1/payments/{id}/receipt.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { sendDueReceipts } from "../../src/services/payments/send-receipts";
import { call, createPartner, expectOk, ORIGIN, seedWorld } from "../helpers/harness";
import { quiesce } from "../helpers/world";
import { api } from "./fixtures";

const NBSP = "\u00a0";
const DESCRIPTION = "Inscription stage de voile, juillet";

async function runReceipts(partnerId: string) {
  const deferred: Promise<unknown>[] = [];
  const result = await sendDueReceipts({ db: createDb(env.DB), env, requestId: "test-receipts", defer: (p) => void deferred.push(p) }, { now: new Date(), tenant: { partnerId, livemode: false } });
  await Promise.all(deferred);
  return result;
}

async function receiptMessages(paymentId: string) {
  return (await env.DB.prepare("SELECT id FROM messages WHERE related_type = 'payment' AND related_id = ? AND template = 'receipt'").bind(paymentId).all<{ id: string }>()).results;
}

async function fetchReceipt(paymentId: string, token: string, orgId: string) {
  const res = await exports.default.fetch(new Request(`${ORIGIN}/v1/payments/${paymentId}/receipt`, { headers: { authorization: `Bearer ${token}`, "x-entity-id": orgId } }));
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** A paid payment request (no invoice): the request link, paid through the sandbox; its ledger entry. */
async function paidRequest(extra: Record<string, unknown> = {}) {
  const t = await createPartner();
  const w = await seedWorld(t);
  const a = api(t.token, w.org.id);
  const link = await expectOk(await a.createLink({ amount: 4500, description: DESCRIPTION, payer: { name: "Camille Martin", email: "camille.martin@example.com" }, ...extra }), 201);
  await expectOk(await a.simulate(link.payment_intent_id, "succeeded"));
  return { t, w, a, link };
}

async function paymentOf(a: ReturnType<typeof api>, intentId: string) {
  const list = await expectOk(await a.listPayments());
  const payment = list.data.find((p: { payment_intent_id: string }) => p.payment_intent_id === intentId);
  expect(payment, "a ledger entry for the intent").toBeTruthy();
  return payment as { id: string; amount: number; currency: string };
}

describe("a payment request's receipt", () => {
  it("is emailed once to the request's payer, naming the description, with the receipt PDF", async () => {
    const { t, w, a, link } = await paidRequest();
    await quiesce(t.partnerId);
    const payment = await paymentOf(a, link.payment_intent_id);
    await runReceipts(t.partnerId);
    const messages = await receiptMessages(payment.id);
    expect(messages).toHaveLength(1);
    const message = await expectOk(await call(`/v1/messages/${messages[0]!.id}`, { token: t.token, headers: { "x-entity-id": w.org.id } }));
    expect(message).toMatchObject({ channel: "email", template: "receipt", to: "camille.martin@example.com", related: { type: "payment", id: payment.id } });
    expect(message.text).toContain(`45,00${NBSP}€`);
    expect(message.text).toContain(DESCRIPTION);
    expect(message.text).not.toContain("Facture");
    expect(message.attachments).toEqual([expect.objectContaining({ content_type: "application/pdf" })]);
    // Once: the next run finds nothing.
    expect(await runReceipts(t.partnerId)).toEqual({ receipts_queued: 0 });
    expect(await receiptMessages(payment.id)).toHaveLength(1);
  });

  it("a request whose payer gave no email gets no receipt", async () => {
    const { t, a, link } = await paidRequest({ payer: { name: "Camille Martin", phone: "+33612345678" } });
    await quiesce(t.partnerId);
    const payment = await paymentOf(a, link.payment_intent_id);
    expect(await runReceipts(t.partnerId)).toEqual({ receipts_queued: 0 });
    expect(await receiptMessages(payment.id)).toHaveLength(0);
  });

  it("GET /v1/payments/{id}/receipt renders a PDF numbered DP-<payment id>, the same bytes each time, in the request's currency", async () => {
    const { t, w, a, link } = await paidRequest({ currency: "USD", payment_methods: ["card"] });
    const payment = await paymentOf(a, link.payment_intent_id);
    expect(payment.currency).toBe("USD");
    const res = await fetchReceipt(payment.id, t.token, w.org.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const number = `DP-${payment.id.replace(/^pay-/, "").toUpperCase()}`;
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="recu-${number}.pdf"`);
    expect(new TextDecoder("latin1").decode(res.bytes.slice(0, 5))).toBe("%PDF-");
    expect((await fetchReceipt(payment.id, t.token, w.org.id)).bytes).toEqual(res.bytes);
    // Another partner's: 404.
    const other = await createPartner();
    const otherWorld = await seedWorld(other);
    expect((await fetchReceipt(payment.id, other.token, otherWorld.org.id)).status).toBe(404);
  });
});

describe("a captured card hold's receipt", () => {
  it("is of the captured amount (the ledger entry), emailed and rendered", async () => {
    const t = await createPartner();
    const w = await seedWorld(t);
    const a = api(t.token, w.org.id);
    const headers = { "x-entity-id": w.org.id };
    const link = await expectOk(await a.createLink({ amount: 15000, type: "preauth", description: "Caution location salle", payer: { name: "Camille Martin", email: "camille.martin@example.com" } }), 201);
    expect(await expectOk(await a.simulate(link.payment_intent_id, "succeeded"))).toMatchObject({ status: "requires_capture" });
    // Authorized only: no ledger entry, so no receipt.
    await quiesce(t.partnerId);
    expect(await runReceipts(t.partnerId)).toEqual({ receipts_queued: 0 });
    await expectOk(await call(`/v1/payment_intents/${link.payment_intent_id}/capture`, { token: t.token, headers, body: { amount: 10000 } }));
    await quiesce(t.partnerId);
    const payment = await paymentOf(a, link.payment_intent_id);
    expect(payment.amount).toBe(10000);
    expect(await runReceipts(t.partnerId)).toEqual({ receipts_queued: 1 });
    const [m] = await receiptMessages(payment.id);
    const message = await expectOk(await call(`/v1/messages/${m!.id}`, { token: t.token, headers }));
    expect(message.text).toContain(`100,00${NBSP}€`);
    expect(message.text).not.toContain("150,00");
    const res = await fetchReceipt(payment.id, t.token, w.org.id);
    expect(res.status).toBe(200);
  });
});
