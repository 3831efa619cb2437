import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, SEED, seedInvoiceBody } from "../helpers/harness";

/**
 * What the hosted payment page tells a payer about the invoice behind the link, beyond the amount
 * of this payment: for a link covering part of the invoice, the invoice's total and what remains
 * due after this payment; for an overdue invoice, that it is overdue and since when. Setup goes
 * through the partner API (the overdue status comes from the sandbox clock's sweep).
 */

const NBSP = "\u00a0";

/** Seed 001's issued invoice (422,00 €, due 2024-03-31) and a link for `amount` of it (all that is due by default). */
async function linkFor(options: { amount?: number; overdue?: boolean } = {}) {
  const t = await createPartner();
  const org = await expectOk(await call("/v1/organizations", { token: t.token, body: SEED.organization }), 201);
  const dept = await expectOk(await call(`/v1/organizations/${org.id}/departments`, { token: t.token, body: SEED.department }), 201);
  const headers = { "x-entity-id": org.id };
  const draft = await expectOk(await call("/v1/invoices", { token: t.token, headers, body: seedInvoiceBody(dept.id) }), 201);
  const invoice = await expectOk(await call(`/v1/invoices/${draft.id}/issue`, { method: "POST", token: t.token, headers }));
  expect(invoice.total_amount).toBe(42200);
  if (options.overdue) {
    const sweep = await expectOk(await call("/v1/sandbox/sweeps", { token: t.token, body: { as_of: "2024-04-01" } }));
    expect(sweep.invoices_marked_overdue).toBe(1);
  }
  const link = await expectOk(
    await call("/v1/payment_links", { token: t.token, headers, body: { invoice_id: invoice.id, payment_methods: ["sepa_credit", "card"], ...(options.amount ? { amount: options.amount } : {}) } }),
    201,
  );
  return new URL(link.payment_page_url).pathname;
}

async function page(path: string, lang: "fr" | "en"): Promise<string> {
  const res = await exports.default.fetch(new Request(new URL(`${path}?lang=${lang}`, env.PUBLIC_BASE_URL)));
  expect(res.status).toBe(200);
  return res.text();
}

/** The page's visible text, tags dropped and spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/, "")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&#39;", "'")
    .replace(/[ \t\r\n]+/g, " ");
}

/** The definition list's value for the term `label`, or null when the page has no such row. */
function row(html: string, label: string): string | null {
  const m = new RegExp(`<dt>${label}</dt><dd[^>]*>([^<]*)</dd>`).exec(html);
  return m ? m[1]! : null;
}

describe("payment page: what the payer is paying into", () => {
  it("a link for part of an invoice shows the invoice total and what remains due after this payment, in French and in English", async () => {
    const path = await linkFor({ amount: 10000 });
    const fr = await page(path, "fr");
    expect(text(fr)).toContain(`Montant à payer 100,00${NBSP}€`);
    expect(row(fr, "Total de la facture")).toBe(`422,00${NBSP}€`);
    expect(row(fr, "Reste dû après ce paiement")).toBe(`322,00${NBSP}€`);
    expect(fr).not.toContain('class="late"');
    const en = await page(path, "en");
    expect(text(en)).toContain("Amount to pay €100.00");
    expect(row(en, "Invoice total")).toBe("€422.00");
    expect(row(en, "Left to pay after this payment")).toBe("€322.00");
  });

  it("a link for all that is due on a current invoice shows neither the total rows nor an overdue notice", async () => {
    const path = await linkFor();
    const fr = await page(path, "fr");
    expect(text(fr)).toContain(`Montant à payer 422,00${NBSP}€`);
    expect(row(fr, "Total de la facture")).toBeNull();
    expect(row(fr, "Reste dû après ce paiement")).toBeNull();
    expect(text(fr)).not.toContain("en retard");
    expect(text(await page(path, "en"))).not.toContain("overdue");
  });

  it("an overdue invoice's page says it is overdue since its due date, in French and in English, before the amount", async () => {
    const path = await linkFor({ overdue: true });
    const fr = await page(path, "fr");
    expect(text(fr)).toContain("Facture en retard de paiement depuis le 31 mars 2024.");
    // Read in order: the heading, the notice, then the amount.
    expect(fr.indexOf('class="late"')).toBeGreaterThan(fr.indexOf("<h1>"));
    expect(fr.indexOf('class="late"')).toBeLessThan(fr.indexOf('class="amt"'));
    const en = await page(path, "en");
    expect(text(en)).toContain("Invoice overdue since 31 March 2024.");
  });

  it("an overdue invoice paid in part through a link shows the notice and the remaining amount together", async () => {
    const path = await linkFor({ overdue: true, amount: 22200 });
    const en = await page(path, "en");
    expect(text(en)).toContain("Invoice overdue since 31 March 2024.");
    expect(row(en, "Invoice total")).toBe("€422.00");
    expect(row(en, "Left to pay after this payment")).toBe("€200.00");
  });
});
