// Issue 12: a payment's receipt (reçu), and the permanent payment address printed on an invoice.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { invoicePayUrl } from "../../src/services/documents/invoice-documents";
import { env } from "cloudflare:workers";
import { call, createPartner, expectOk, ORIGIN } from "../helpers/harness";
import { link, payableWorld } from "../payments/fixtures";
import { paidWorld } from "../payments/refund-fixtures";

async function fetchRaw(path: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(new Request(path.startsWith("http") ? path : `${ORIGIN}${path}`, { headers, redirect: "manual" }));
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("payment receipts", () => {
  it("GET /v1/payments/{id}/receipt is a PDF numbered after the invoice and the payment's rank", async () => {
    const w = await paidWorld();
    const payments = await expectOk(await w.api.listPayments(`invoice_id=${w.invoice.id}`));
    const payment = payments.data[0];
    const res = await fetchRaw(`/v1/payments/${payment.id}/receipt`, { authorization: `Bearer ${w.t.token}`, "x-entity-id": w.org.id });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="recu-${w.invoice.invoice_number}-R1.pdf"`);
    expect(new TextDecoder("latin1").decode(res.bytes.slice(0, 5))).toBe("%PDF-");
    // Same payment, same bytes (rendered from the ledger, deterministically).
    const again = await fetchRaw(`/v1/payments/${payment.id}/receipt`, { authorization: `Bearer ${w.t.token}`, "x-entity-id": w.org.id });
    expect(again.bytes).toEqual(res.bytes);
  });

  it("another organization's or partner's payment receipt is 404", async () => {
    const w = await paidWorld();
    const payment = (await expectOk(await w.api.listPayments(`invoice_id=${w.invoice.id}`))).data[0];
    const other = await createPartner();
    const otherOrg = await expectOk(await call("/v1/organizations", { token: other.token, body: { type: "company", name: "Autre", siret: "55208131766522" } }), 201);
    expect((await call(`/v1/payments/${payment.id}/receipt`, { token: other.token, headers: { "x-entity-id": otherOrg.id } })).status).toBe(404);
    expect((await call(`/v1/payments/${payment.id}/receipt`, { token: other.token, headers: { "x-entity-id": w.org.id } })).status).toBe(404);
  });
});

describe("the invoice's permanent payment address (/p/f/…)", () => {
  it("leads to the active link's payment page, says when nothing is open, and when the invoice is settled", async () => {
    const w = await payableWorld();
    const url = await invoicePayUrl(env, w.issued.id);
    expect(url.startsWith(`${env.PUBLIC_BASE_URL}/p/f/${w.issued.id}.`)).toBe(true);
    const path = new URL(url).pathname;

    const none = await fetchRaw(path);
    expect(none.status).toBe(200);
    expect(new TextDecoder().decode(none.bytes)).toContain("Pas de paiement en ligne ouvert");

    const l = await link(w.api, w.issued.id);
    const redirected = await fetchRaw(path);
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get("location")).toContain(`/p/${new URL(l.payment_page_url).pathname.split("/").pop()}`);

    await expectOk(await w.api.simulate(l.payment_intent_id, "succeeded"));
    const settled = await fetchRaw(path);
    expect(settled.status).toBe(200);
    expect(new TextDecoder().decode(settled.bytes)).toContain("Cette facture est réglée");
  });

  it("a forged or altered address is a plain 404", async () => {
    const w = await payableWorld();
    const path = new URL(await invoicePayUrl(env, w.issued.id)).pathname;
    const forged = path.slice(0, -4) + (path.endsWith("0000") ? "1111" : "0000");
    expect((await fetchRaw(forged)).status).toBe(404);
    expect((await fetchRaw(`/p/f/${w.issued.id}`)).status).toBe(404);
  });
});
