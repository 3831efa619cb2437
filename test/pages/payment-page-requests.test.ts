import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED } from "../helpers/harness";
import { Browser, h1, text } from "./page-browser";

/**
 * Issue 13: the hosted page of a payment request (no invoice) and of a card hold, as the payer's
 * browser sees it: the description and amount in place of an invoice, the short page, the hold's
 * wording, and the states after authorization (authorized, captured, released).
 */

const CARD = { number: "4242 4242 4242 4242", expiry: "12/34", cvc: "123" };

interface RequestOptions {
  amount?: number;
  currency?: "EUR" | "USD" | "GBP";
  type?: "standard" | "preauth";
  page?: "standard" | "short";
  payment_methods?: ("card" | "sepa_credit")[];
}

/** Partner → organization → a payment request link (no invoice), created through the API. */
async function requestWorld(options: RequestOptions = {}) {
  const t = await createPartner();
  const org = await expectOk(await call("/v1/organizations", { token: t.token, body: { ...SEED.organization, branding: { display_name: "Ville de Lyon" } } }), 201);
  const headers = { "x-entity-id": org.id };
  const link = await expectOk(
    await call("/v1/payment_links", {
      token: t.token,
      headers,
      body: {
        amount: options.amount ?? 15000,
        description: "Caution location salle des fêtes, 14 juin",
        payer: { name: "Camille Martin", email: "camille.martin@example.com" },
        ...options,
      },
    }),
    201,
  );
  const token = new URL(link.payment_page_url).pathname.split("/")[2]!;
  const intentId = link.payment_intent_id as string;
  return {
    t,
    org,
    link,
    path: `/p/${token}`,
    intentId,
    getIntent: async () => expectOk(await call(`/v1/payment_intents/${intentId}`, { token: t.token, headers })),
    capture: async (body: Record<string, unknown>) => expectOk(await call(`/v1/payment_intents/${intentId}/capture`, { token: t.token, headers, body })),
    release: async () => expectOk(await call(`/v1/payment_intents/${intentId}/cancel`, { token: t.token, headers, body: {} })),
  };
}

type World = Awaited<ReturnType<typeof requestWorld>>;

/** Brings the intent's provider steps due and runs its alarm (white-box, as payment-page.test.ts does). */
async function settleNow(w: World) {
  const stub = env.PAYMENT_INTENT.getByName(w.intentId);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("UPDATE timers SET due_at = 0 WHERE timer LIKE '%provider_step%'");
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

/** Chooses card on the page, then submits the test card on the sandbox card screen. */
async function payByCard(b: Browser, w: World) {
  const page = await b.get(w.path);
  const chosen = await b.submit(page, `${w.path}/pay`, { method: "card" });
  expect(chosen.status, chosen.html).toBe(303);
  const form = await b.get(chosen.location!);
  expect(form.status).toBe(200);
  const res = await b.submit(form, `${w.path}/card`, CARD);
  expect(res.status, res.html).toBe(303);
  return form;
}

/** The statuses of the intent's ledger entry (pending while a hold waits, canceled once released). */
async function ledgerStatuses(intentId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT status FROM payments WHERE payment_intent_id = ?").bind(intentId).all<{ status: string }>();
  return results.map((r) => r.status);
}

describe("a payment request's page (no invoice)", () => {
  it("shows the description, the payer and the amount in place of an invoice, in French then English", async () => {
    const w = await requestWorld({ amount: 4500 });
    const b = new Browser();
    const page = await b.get(w.path);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe("Demande de paiement");
    const body = text(page.html);
    for (const shown of ["Ville de Lyon", "Objet Caution location salle des fêtes, 14 juin", "Payeur Camille Martin", "45,00\u00a0€", "Carte bancaire", "Virement SEPA"]) expect(body).toContain(shown);
    // No invoice row: a request has none.
    expect(body).not.toContain("Facture");

    const en = await b.get(`${w.path}?lang=en`);
    expect(h1(en.html)).toBe("Payment request");
    expect(text(en.html)).toContain("For Caution location salle des fêtes, 14 juin");
    expect(text(en.html)).toContain("€45.00");
  });

  it("the short page: the amount, the description and the method choice, without the summary table", async () => {
    const w = await requestWorld({ amount: 4500, currency: "USD", page: "short", payment_methods: ["card"] });
    const page = await new Browser().get(w.path);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe("Demande de paiement");
    expect(page.html).not.toContain("<dl>");
    const body = text(page.html);
    expect(body).toContain("45,00\u00a0$US");
    expect(body).toContain("Caution location salle des fêtes, 14 juin");
    expect(page.html).toContain('<input type="radio" name="method" value="card" checked="" required=""/>');
    expect(page.html).toMatch(/<fieldset><legend>Choisissez votre moyen de paiement<\/legend>/);
  });

  it("paid by card: the success page, and a ledger entry without an invoice", async () => {
    const w = await requestWorld({ amount: 4500, payment_methods: ["card"] });
    const b = new Browser();
    await payByCard(b, w);
    await settleNow(w);
    const done = await b.get(w.path);
    expect(h1(done.html)).toBe("Paiement reçu");
    expect(text(done.html)).toContain("Montant payé 45,00\u00a0€");
    const row = await env.DB.prepare("SELECT amount, invoice_id FROM payments WHERE payment_intent_id = ?").bind(w.intentId).first<{ amount: number; invoice_id: string | null }>();
    expect(row).toEqual({ amount: 4500, invoice_id: null });
  });
});

describe("a card hold's page (type preauth)", () => {
  it("says it is a hold before anything is entered, and the card button authorizes rather than pays", async () => {
    const w = await requestWorld({ type: "preauth" });
    const b = new Browser();
    const page = await b.get(w.path);
    expect(h1(page.html)).toBe("Caution par carte");
    const body = text(page.html);
    expect(body).toContain("Caution : votre carte est autorisée, pas débitée.");
    expect(body).toContain("sous 6 jours et 12 heures");
    expect(body).toContain("Montant de la caution 150,00\u00a0€");
    const chosen = await b.submit(page, `${w.path}/pay`, { method: "card" });
    const form = await b.get(chosen.location!);
    expect(form.html).toMatch(/<button class="btn" type="submit">Autoriser 150,00\u00a0€<\/button>/);
    expect(form.html).not.toContain(">Payer 150,00");

    const en = await b.get(`${w.path}?lang=en`);
    expect(text(en.html)).toContain("Hold: your card is authorized, not charged.");
  });

  it("authorized with 4242…: the page says the hold is registered and nothing is charged; no ledger entry", async () => {
    const w = await requestWorld({ type: "preauth" });
    const b = new Browser();
    await payByCard(b, w);
    await settleNow(w);
    const intent = await w.getIntent();
    expect(intent).toMatchObject({ status: "requires_capture", amount_authorized: 15000 });
    const page = await b.get(w.path);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe("Caution enregistrée");
    const body = text(page.html);
    expect(body).toContain("Rien n'a été débité à ce stade.");
    expect(body).toContain("Montant autorisé 150,00\u00a0€");
    expect(body).toMatch(/Encaissable jusqu'au \d{1,2} \S+ \d{4} à \d{2}:\d{2} \(heure de Paris\)/);
    expect(await ledgerStatuses(w.intentId)).toEqual(["pending"]);
    // The page no longer offers to pay.
    expect(page.html).not.toContain('name="method"');

    const en = await b.get(`${w.path}?lang=en`);
    expect(h1(en.html)).toBe("Hold registered");
  });

  it("captured in part: the page shows the amount collected, and the amount that had been authorized", async () => {
    const w = await requestWorld({ type: "preauth" });
    const b = new Browser();
    await payByCard(b, w);
    await settleNow(w);
    await w.capture({ amount: 10000 });
    const page = await b.get(w.path);
    expect(h1(page.html)).toBe("Paiement reçu");
    const body = text(page.html);
    expect(body).toContain("Montant encaissé 100,00\u00a0€");
    expect(body).toContain("Montant autorisé 150,00\u00a0€");
    expect(await ledgerStatuses(w.intentId)).toEqual(["completed"]);
  });

  it("released by the organization: the page says nothing was charged", async () => {
    const w = await requestWorld({ type: "preauth" });
    const b = new Browser();
    await payByCard(b, w);
    await settleNow(w);
    await w.release();
    const page = await b.get(w.path);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe("Caution libérée");
    expect(text(page.html)).toContain("rien n'a été débité sur votre carte");
    expect(await ledgerStatuses(w.intentId)).toEqual(["canceled"]);
  });
});
