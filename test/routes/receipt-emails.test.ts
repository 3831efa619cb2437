// Issue 13: after a payment, the payer is emailed the receipt ("ticket de paiement") with its PDF, once.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { sendDueReceipts } from "../../src/services/payments/send-receipts";
import { call, expectOk } from "../helpers/harness";
import { quiesce } from "../helpers/world";
import { paidWorld } from "../payments/refund-fixtures";
import { runQueue } from "../webhooks/helpers";

/** The minute cron's receipts job, for this partner's test data only (what the cron does for every tenant). */
async function runReceipts(partnerId: string, now = new Date()) {
  const deferred: Promise<unknown>[] = [];
  const result = await sendDueReceipts({ db: createDb(env.DB), env, requestId: "test-receipts", defer: (p) => void deferred.push(p) }, { now, tenant: { partnerId, livemode: false } });
  await Promise.all(deferred);
  return result;
}

function receiptsOf(paymentId: string) {
  return env.DB.prepare("SELECT id FROM messages WHERE related_type = 'payment' AND related_id = ? AND template = 'receipt'").bind(paymentId).all<{ id: string }>();
}

describe("receipts by email", () => {
  it("emails the payer the receipt with its PDF, once per payment", async () => {
    const w = await paidWorld();
    await quiesce(w.t.partnerId);
    const [payment] = (await expectOk(await w.api.listPayments(`invoice_id=${w.invoice.id}`))).data;
    expect(await runReceipts(w.t.partnerId)).toEqual({ receipts_queued: 1 });

    const { results } = await receiptsOf(payment.id);
    expect(results).toHaveLength(1);
    const message = await expectOk(await call(`/v1/messages/${results[0]!.id}`, { token: w.t.token, headers: { "x-entity-id": w.org.id } }));
    expect(message).toMatchObject({ channel: "email", template: "receipt", related: { type: "payment", id: payment.id } });
    expect(message.to).toBe("jean.dupont@example.com");
    expect(message.attachments).toEqual([expect.objectContaining({ content_type: "application/pdf" })]);
    expect(message.text).toContain("422,00");

    // The next run (and the one after) finds nothing to do: no second receipt.
    expect(await runReceipts(w.t.partnerId)).toEqual({ receipts_queued: 0 });
    expect((await receiptsOf(payment.id)).results).toHaveLength(1);
  });

  it("the payment's status_changed event, through the webhooks queue, sends it at once (the cron is the safety net)", async () => {
    const w = await paidWorld();
    await quiesce(w.t.partnerId);
    const [payment] = (await expectOk(await w.api.listPayments(`invoice_id=${w.invoice.id}`))).data;
    const succeeded = await env.DB.prepare("SELECT id FROM events WHERE partner_id = ? AND type = 'payment_intent.status_changed' AND json_extract(data, '$.current_status') = 'succeeded'")
      .bind(w.t.partnerId)
      .first<{ id: string }>();
    const run = await runQueue([{ event_id: succeeded!.id }]);
    expect(run.retried).toEqual([]);
    expect((await receiptsOf(payment.id)).results).toHaveLength(1);
    // The same event again (a queue redelivery), then the cron: still one receipt.
    await runQueue([{ event_id: succeeded!.id }]);
    expect(await runReceipts(w.t.partnerId)).toEqual({ receipts_queued: 0 });
    expect((await receiptsOf(payment.id)).results).toHaveLength(1);
  });

  it("sends none when the organization turned receipts off", async () => {
    const w = await paidWorld();
    await quiesce(w.t.partnerId);
    const org = await expectOk(await call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: w.t.token, body: { receipts: { email: false } } }));
    expect(org.receipts).toEqual({ email: false });
    expect((await expectOk(await call(`/v1/organizations/${w.org.id}`, { token: w.t.token }))).receipts).toEqual({ email: false });
    expect(await runReceipts(w.t.partnerId)).toEqual({ receipts_queued: 0 });
    const [payment] = (await expectOk(await w.api.listPayments(`invoice_id=${w.invoice.id}`))).data;
    expect((await receiptsOf(payment.id)).results).toHaveLength(0);
  });

  it("sends none for payments older than the 48-hour window", async () => {
    const w = await paidWorld();
    await quiesce(w.t.partnerId);
    expect(await runReceipts(w.t.partnerId, new Date(Date.now() + 49 * 3_600_000))).toEqual({ receipts_queued: 0 });
  });

  it("organizations email receipts unless created or patched with receipts.email false", async () => {
    const w = await paidWorld();
    expect(w.org.receipts).toEqual({ email: true });
    const off = await expectOk(
      await call("/v1/organizations", { token: w.t.token, body: { type: "company", name: "Sans reçus", siret: "55208131766522", receipts: { email: false } } }),
      201,
    );
    expect(off.receipts).toEqual({ email: false });
    const bad = await call(`/v1/organizations/${w.org.id}`, { method: "PATCH", token: w.t.token, body: { receipts: { email: "no" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("receipts.email");
  });
});
