import { describe, expect, it } from "vitest";
import { baseOfPart, creditNoteIdOfRefund, proportionalParts, remainderToCancel, splitPriceReduction } from "../../src/domain/credit-note";
import { resolveRefundType } from "../../src/domain/refund";
import { computeInvoiceAmounts, vatOn, type LineInput, type VatRate } from "../../src/domain/vat";

/**
 * A refund that lowers the price becomes a partial credit note: the amount refunded (TTC) split
 * over the invoice's VAT rates in proportion, each part cut into a base and its VAT so that the
 * credit note's lines, breakdown and totals agree as on an invoice (EN 16931 BR-CO-17).
 */

const SEED = [{ vat_rate: 5.5, taxable_amount: 40000, tax_amount: 2200 }];
const MIXED = computeInvoiceAmounts([
  { description: "Abonnement", quantity: 1, unit_price: 10000, vat_rate: 20 },
  { description: "Eau", quantity: 125, unit_price: 320, vat_rate: 5.5 },
  { description: "Livres", quantity: 3, unit_price: 1999, vat_rate: 2.1 },
]).tax_breakdown;

/** What every credit note must satisfy, whatever the amounts. */
function expectConsistent(amount: number, split: ReturnType<typeof splitPriceReduction>, exactVat = true) {
  expect(split.total_amount).toBe(amount);
  expect(split.subtotal_amount + split.tax_amount).toBe(amount);
  expect(split.line_items.reduce((s, l) => s + l.net_amount, 0)).toBe(split.subtotal_amount);
  expect(split.tax_breakdown.reduce((s, t) => s + t.tax_amount, 0)).toBe(split.tax_amount);
  for (const [i, t] of split.tax_breakdown.entries()) {
    const line = split.line_items[i]!;
    expect(line).toMatchObject({ quantity: 1, unit: "C62", unit_price: t.taxable_amount, net_amount: t.taxable_amount, vat_rate: t.vat_rate });
    if (exactVat) expect(t.tax_amount).toBe(vatOn(t.taxable_amount, t.vat_rate));
    else expect(Math.abs(t.tax_amount - vatOn(t.taxable_amount, t.vat_rate))).toBeLessThanOrEqual(1);
  }
}

describe("splitPriceReduction", () => {
  it("seed 001: 100 € off the 422 € invoice at 5.5 % → one line of 94.79 € HT + 5.21 € VAT", () => {
    const split = splitPriceReduction(10000, SEED, "Remise commerciale de 100€");
    expect(split).toEqual({
      line_items: [{ description: "Réduction de prix — Remise commerciale de 100€", quantity: 1, unit: "C62", unit_price: 9479, vat_rate: 5.5, net_amount: 9479 }],
      subtotal_amount: 9479,
      tax_amount: 521,
      total_amount: 10000,
      tax_breakdown: [{ vat_rate: 5.5, taxable_amount: 9479, tax_amount: 521 }],
    });
    expect(splitPriceReduction(10000, SEED, null).line_items[0]!.description).toBe("Réduction de prix");
  });

  it("mixed rates: the parts follow each rate's share of the total including VAT, and sum to the amount", () => {
    // 20 %: 12 000 TTC, 5.5 %: 42 200, 2.1 %: 6 123 (5 997 + 126): 60 323 in all.
    expect(MIXED).toEqual([
      { vat_rate: 2.1, taxable_amount: 5997, tax_amount: 126 },
      { vat_rate: 5.5, taxable_amount: 40000, tax_amount: 2200 },
      { vat_rate: 20, taxable_amount: 10000, tax_amount: 2000 },
    ]);
    expect(proportionalParts(10000, MIXED).map((p) => p.part)).toEqual([1015, 6996, 1989]);
    const split = splitPriceReduction(10000, MIXED, "Geste");
    expectConsistent(10000, split);
    expect(split.tax_breakdown.map((t) => t.vat_rate)).toEqual([2.1, 5.5, 20]);
  });

  it("the whole invoice credited gives back its own breakdown", () => {
    const total = MIXED.reduce((s, t) => s + t.taxable_amount + t.tax_amount, 0);
    expect(splitPriceReduction(total, MIXED, null).tax_breakdown).toEqual(MIXED);
  });

  it("a part no base reaches moves one cent to another rate, two such parts fix each other", () => {
    // At 20 % the totals go 0, 1, 2, 4, 5, 6, 7, 8, 10…: 3 and 9 are skipped.
    expect(baseOfPart(3, 20)).toBeNull();
    expect(baseOfPart(9, 20)).toBeNull();
    expect(baseOfPart(4, 20)).toBe(3);
    // 20 % and 0 %, equal shares: 6 → 3 + 3, the 20 % part moves a cent to the 0 % one.
    const withZero = [
      { vat_rate: 0, taxable_amount: 1000, tax_amount: 0 },
      { vat_rate: 20, taxable_amount: 1000, tax_amount: 200 },
    ];
    expect(proportionalParts(6, withZero).map((p) => p.part)).toEqual([3, 3]);
    const a = splitPriceReduction(6, withZero, null);
    expectConsistent(6, a);
    expect(a.tax_breakdown).toEqual([
      { vat_rate: 0, taxable_amount: 4, tax_amount: 0 },
      { vat_rate: 20, taxable_amount: 2, tax_amount: 0 },
    ]);
    // 10 % skips 5 (base 4 → 4, base 5 → 6) and 20 % skips 3: 8 → 5 + 3 has both parts skipped,
    // one cent from the first to the second fixes both; each amount up to 400 comes out exact.
    const two = [
      { vat_rate: 10, taxable_amount: 2000, tax_amount: 200 },
      { vat_rate: 20, taxable_amount: 1000, tax_amount: 200 },
    ];
    expect(proportionalParts(8, two).map((p) => p.part)).toEqual([5, 3]);
    expect(splitPriceReduction(8, two, null).tax_breakdown).toEqual([
      { vat_rate: 10, taxable_amount: 4, tax_amount: 0 },
      { vat_rate: 20, taxable_amount: 3, tax_amount: 1 },
    ]);
    for (let amount = 1; amount <= 400; amount++) expectConsistent(amount, splitPriceReduction(amount, two, null));
  });

  it("a single rate whose total is skipped keeps the lower base and puts the rest in VAT (one cent over, documented)", () => {
    const only20 = [{ vat_rate: 20, taxable_amount: 1000, tax_amount: 200 }];
    const split = splitPriceReduction(3, only20, null);
    expectConsistent(3, split, false);
    expect(split.tax_breakdown).toEqual([{ vat_rate: 20, taxable_amount: 2, tax_amount: 1 }]);
  });

  it("leaves out rates with nothing on them and parts of zero", () => {
    const split = splitPriceReduction(1, MIXED, null);
    expect(split.line_items).toHaveLength(1);
    expectConsistent(1, split);
    const withEmpty = [...SEED, { vat_rate: 20, taxable_amount: 0, tax_amount: 0 }];
    expect(splitPriceReduction(10000, withEmpty, null).tax_breakdown).toEqual([{ vat_rate: 5.5, taxable_amount: 9479, tax_amount: 521 }]);
  });

  it("refuses what is not an amount, a rate France does not have, an invoice of nothing", () => {
    expect(() => splitPriceReduction(0, SEED, null)).toThrow(RangeError);
    expect(() => splitPriceReduction(1.5, SEED, null)).toThrow(RangeError);
    expect(() => splitPriceReduction(100, [{ vat_rate: 19.6, taxable_amount: 100, tax_amount: 20 }], null)).toThrow(RangeError);
    expect(() => splitPriceReduction(100, [{ vat_rate: 20, taxable_amount: 0, tax_amount: 0 }], null)).toThrow(RangeError);
  });

  it("random invoices and amounts: always consistent, exact VAT whenever two rates or more, parts within a cent or two of the proportion", () => {
    const rates: VatRate[] = [0, 2.1, 5.5, 10, 20];
    let seed = 12;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 2000; run++) {
      const lines: LineInput[] = Array.from({ length: 1 + rand(5) }, () => ({
        description: "x",
        quantity: 1 + rand(50) / (1 + rand(3)),
        unit_price: rand(2) === 0 ? rand(500) : rand(10_000_000),
        vat_rate: rates[rand(rates.length)]!,
      }));
      const invoice = computeInvoiceAmounts(lines.map((l) => ({ ...l, quantity: Math.round(l.quantity * 1000) / 1000 })));
      if (invoice.total_amount === 0) continue;
      const amount = 1 + rand(invoice.total_amount);
      const split = splitPriceReduction(amount, invoice.tax_breakdown, "r");
      const withMoney = invoice.tax_breakdown.filter((t) => t.taxable_amount + t.tax_amount > 0).length;
      expectConsistent(amount, split, withMoney > 1 || split.tax_breakdown.every((t) => t.tax_amount === vatOn(t.taxable_amount, t.vat_rate)));
      for (const t of split.tax_breakdown) {
        const entry = invoice.tax_breakdown.find((e) => e.vat_rate === t.vat_rate)!;
        const exact = (amount * (entry.taxable_amount + entry.tax_amount)) / invoice.total_amount;
        expect(Math.abs(t.taxable_amount + t.tax_amount - exact)).toBeLessThan(2);
      }
    }
  });
});

describe("remainderToCancel", () => {
  it("nothing credited before: null (the cancellation credits the invoice's own lines)", () => {
    expect(remainderToCancel({ tax_breakdown: MIXED }, [], "x")).toBeNull();
  });

  it("after price reductions: the rest, rate by rate, so that all the credit notes together credit the invoice's total", () => {
    const total = MIXED.reduce((s, t) => s + t.taxable_amount + t.tax_amount, 0);
    const reductions = [splitPriceReduction(10000, MIXED, "a"), splitPriceReduction(333, MIXED, "b")];
    const rest = remainderToCancel({ tax_breakdown: MIXED }, reductions, "Annulation du solde de la facture n° FAC-2026-00001")!;
    expect(rest.total_amount).toBe(total - 10333);
    expect(rest.subtotal_amount + rest.tax_amount).toBe(rest.total_amount);
    for (const rate of [2.1, 5.5, 20]) {
      const all = [...reductions, rest].flatMap((c) => c.tax_breakdown).filter((b) => b.vat_rate === rate);
      const invoice = MIXED.find((b) => b.vat_rate === rate)!;
      expect(all.reduce((s, b) => s + b.taxable_amount, 0)).toBe(invoice.taxable_amount);
      expect(all.reduce((s, b) => s + b.tax_amount, 0)).toBe(invoice.tax_amount);
    }
    expect(rest.line_items.map((l) => [l.description, l.quantity, l.unit, l.vat_rate])).toEqual([
      ["Annulation du solde de la facture n° FAC-2026-00001", 1, "C62", 2.1],
      ["Annulation du solde de la facture n° FAC-2026-00001", 1, "C62", 5.5],
      ["Annulation du solde de la facture n° FAC-2026-00001", 1, "C62", 20],
    ]);
    // Each remaining part's VAT within a cent of its base × rate (BR-CO-17 allows 1.00).
    for (const b of rest.tax_breakdown) expect(Math.abs(b.tax_amount - vatOn(b.taxable_amount, b.vat_rate))).toBeLessThanOrEqual(1);
  });
});

describe("price reduction or repayment", () => {
  it("default: a price reduction when the invoice is paid in full and the refund gives a reason, else a repayment; an explicit type wins", () => {
    expect(resolveRefundType(null, "paid", "Remise commerciale de 100€")).toBe("price_reduction");
    expect(resolveRefundType(null, "paid", null)).toBe("repayment");
    expect(resolveRefundType(null, "partially_paid", "Remise")).toBe("repayment");
    expect(resolveRefundType(null, "overdue", "Remise")).toBe("repayment");
    expect(resolveRefundType("repayment", "paid", "Remise")).toBe("repayment");
    expect(resolveRefundType("price_reduction", "partially_paid", null)).toBe("price_reduction");
  });

  it("the credit note of a refund is named from the refund's id", () => {
    expect(creditNoteIdOfRefund("ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b")).toBe("cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b");
  });
});
