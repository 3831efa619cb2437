import { describe, expect, it } from "vitest";
import { computeInvoiceAmounts, isVatRate, lineNet, quantityToMilli, vatOn, type LineInput } from "../../src/domain/vat";
import { canTransition, INVOICE_STATUSES, INVOICE_TRANSITIONS } from "../../src/domain/invoice-status";
import { formatNumber } from "../../src/domain/numbering";
import { invoiceMentions } from "../../src/domain/invoice-mentions";

const line = (quantity: number, unit_price: number, vat_rate: LineInput["vat_rate"]): LineInput => ({ description: "x", quantity, unit_price, vat_rate });

describe("line net: quantity × unit price, half-up to the cent", () => {
  it.each([
    [125, 320, 40000],
    [1, 3800, 3800],
    [1.5, 333, 500], // 499.5 → 500
    [0.5, 1, 1], // 0.5 → 1
    [0.333, 100, 33], // 33.3
    [0.335, 100, 34], // 33.5 → 34
    [2.125, 1, 2], // 2.125
    [0.001, 499, 0], // 0.499
    [0.001, 500, 1], // 0.5
    [1000000, 10_000_000_000, 10_000_000_000_000_000], // exact beyond 2^53 inputs' product
    [3, 0, 0],
  ])("%d × %d = %d", (q, p, net) => {
    expect(lineNet(q, p)).toBe(net);
  });

  it("refuses more than 3 decimals", () => {
    expect(quantityToMilli(0.0001)).toBeNull();
    expect(quantityToMilli(1.2345)).toBeNull();
    expect(quantityToMilli(1.234)).toBe(1234);
    expect(quantityToMilli(0.1 + 0.2)).toBe(300); // float noise is not a fourth decimal
    expect(() => lineNet(1.2345, 100)).toThrow(RangeError);
  });
});

describe("VAT per rate, half-up", () => {
  it.each([
    [40000, 5.5, 2200],
    [3800, 5.5, 209],
    [1000, 2.1, 21],
    [15, 10, 2], // 1.5 → 2
    [14, 10, 1],
    [1, 20, 0], // 0.2
    [3, 20, 1], // 0.6
    [12345, 0, 0],
    [999_999_999_999, 20, 200_000_000_000], // 199 999 999 999.8
  ] as const)("%d at %d%% = %d", (taxable, rate, tax) => {
    expect(vatOn(taxable, rate)).toBe(tax);
  });

  it("accepts exactly the French rates", () => {
    for (const r of [0, 2.1, 5.5, 10, 20]) expect(isVatRate(r)).toBe(true);
    for (const r of [5, 7, 19.6, 8.5, 21, -5.5, 2.10000001]) expect(isVatRate(r)).toBe(false);
  });
});

describe("invoice amounts", () => {
  it("seed 001: 125 m³ × 3.20 € at 5.5 % is 422.00 € (the seed's 42220 is a slip)", () => {
    const a = computeInvoiceAmounts([line(125, 320, 5.5)]);
    expect(a).toMatchObject({ subtotal_amount: 40000, tax_amount: 2200, total_amount: 42200 });
    expect(a.tax_breakdown).toEqual([{ vat_rate: 5.5, taxable_amount: 40000, tax_amount: 2200 }]);
  });

  it("VAT is computed on each rate's sum of nets, not line by line", () => {
    // Three lines of 0.09 € at 5.5 %: 0.495 cents each would round to 0 line by line;
    // on the rate's sum (27 cents) it is 1.485 → 1 cent.
    const a = computeInvoiceAmounts([line(1, 9, 5.5), line(1, 9, 5.5), line(1, 9, 5.5)]);
    expect(a.tax_breakdown).toEqual([{ vat_rate: 5.5, taxable_amount: 27, tax_amount: 1 }]);
    expect(a.total_amount).toBe(28);
  });

  it("mixed rates and fractional quantities: one breakdown entry per rate, ordered", () => {
    const a = computeInvoiceAmounts([
      line(2.5, 1999, 20), // 4997.5 → 4998
      line(1, 1000, 5.5),
      line(0.75, 3333, 20), // 2499.75 → 2500
      line(3, 250, 0),
      line(1, 10000, 10),
      line(1, 1234, 2.1),
    ]);
    expect(a.line_items.map((l) => l.net_amount)).toEqual([4998, 1000, 2500, 750, 10000, 1234]);
    expect(a.tax_breakdown).toEqual([
      { vat_rate: 0, taxable_amount: 750, tax_amount: 0 },
      { vat_rate: 2.1, taxable_amount: 1234, tax_amount: 26 }, // 25.914
      { vat_rate: 5.5, taxable_amount: 1000, tax_amount: 55 },
      { vat_rate: 10, taxable_amount: 10000, tax_amount: 1000 },
      { vat_rate: 20, taxable_amount: 7498, tax_amount: 1500 }, // 1499.6
    ]);
    expect(a.subtotal_amount).toBe(20482);
    expect(a.tax_amount).toBe(2581);
    expect(a.total_amount).toBe(23063);
  });

  it("always holds: total = subtotal + tax, subtotal = Σ nets = Σ taxable, tax = Σ per-rate VAT", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rates = [0, 2.1, 5.5, 10, 20] as const;
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 12) }, () =>
        line(Math.round(rand() * 100_000) / 1000 || 0.001, Math.floor(rand() * 1_000_000), rates[Math.floor(rand() * 5)]!),
      );
      const a = computeInvoiceAmounts(lines);
      expect(a.total_amount).toBe(a.subtotal_amount + a.tax_amount);
      expect(a.subtotal_amount).toBe(a.line_items.reduce((s, l) => s + l.net_amount, 0));
      expect(a.subtotal_amount).toBe(a.tax_breakdown.reduce((s, t) => s + t.taxable_amount, 0));
      expect(a.tax_amount).toBe(a.tax_breakdown.reduce((s, t) => s + t.tax_amount, 0));
      for (const t of a.tax_breakdown) expect(Math.abs(t.tax_amount - (t.taxable_amount * t.vat_rate) / 100)).toBeLessThanOrEqual(0.5);
    }
  });
});

describe("invoice status machine", () => {
  it("has every state, and cancelled is final", () => {
    expect(Object.keys(INVOICE_TRANSITIONS).sort()).toEqual([...INVOICE_STATUSES].sort());
    expect(INVOICE_TRANSITIONS.cancelled).toEqual([]);
  });

  it.each([
    ["draft", "issued", true],
    ["draft", "cancelled", true],
    ["draft", "paid", false],
    ["issued", "draft", false],
    ["issued", "overdue", true],
    ["partially_paid", "overdue", true],
    ["overdue", "paid", true],
    ["paid", "issued", true], // full refund
    ["paid", "cancelled", false],
    ["partially_paid", "cancelled", false],
    ["cancelled", "issued", false],
  ] as const)("%s → %s: %s", (from, to, ok) => {
    expect(canTransition(from, to)).toBe(ok);
  });
});

describe("numbers and mentions", () => {
  it("formats numbers", () => {
    expect(formatNumber("invoice", 2026, 1)).toBe("FAC-2026-00001");
    expect(formatNumber("credit_note", 2026, 42)).toBe("AV-2026-00042");
    expect(formatNumber("invoice", 2026, 123456)).toBe("FAC-2026-123456");
  });

  it("adds the B2B penalty and €40 indemnity only for business payers", () => {
    const seller = { name: "Mairie de Lyon", siret: "21690123400019", siren: "216901234", vat_number: null, address: null };
    const b2b = invoiceMentions({ issueDate: "2026-11-21", dueDate: "2026-12-21", seller, buyerIsBusiness: true, paymentTerms: null, vatExemptionReason: null });
    expect(b2b.recovery_indemnity?.amount).toBe(4000);
    expect(b2b.late_payment_penalty).toContain("BCE");
    expect(b2b.payment_terms).toContain("21/12/2026");
    const b2c = invoiceMentions({ issueDate: "2026-11-21", dueDate: "2026-12-21", seller, buyerIsBusiness: false, paymentTerms: "Paiement sous 30 jours", vatExemptionReason: null });
    expect(b2c.recovery_indemnity).toBeNull();
    expect(b2c.late_payment_penalty).toBeNull();
    expect(b2c.payment_terms).toBe("Paiement sous 30 jours");
  });
});
