// src/documents/cii.ts runs in the Worker's runtime (workerd, no nodejs_compat): the official
// Factur-X rules are checked in Node by test/documents/facturx-validate.test.mjs (SaxonJS is not
// for workerd); here, that the same builder loads and renders seed 001's invoice inside workerd, and
// that it refuses to print a document whose figures or references do not hold together — an archived
// Factur-X is never regenerated, so an inconsistent one must never be produced in the first place.
import { describe, expect, it } from "vitest";
import { billingFramework, buildCii, computeAmounts, formatCents } from "../../src/documents/cii";
import type { InvoiceDocument } from "../../src/documents/model";

function seed001(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  const { lines, tax_breakdown, totals } = computeAmounts([
    { description: "Consommation eau T1 2026", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 },
  ]);
  return {
    type: "invoice",
    number: "F-2026-00001",
    issue_date: "2026-03-02",
    currency: "EUR",
    seller: {
      name: "Commune de Bourg-la-Reine",
      siren: "219200144",
      siret: "21920014400018",
      vat_number: "FR02 219 200 144",
      address: { line1: "6 boulevard Carnot", postal_code: "92340", city: "Bourg-la-Reine" },
      public_entity_unit: "Régie des eaux",
    },
    buyer: { name: "Jeanne Martin", address: { line1: "12 rue des Lilas", postal_code: "92340", city: "Bourg-la-Reine" }, is_business: false },
    lines,
    tax_breakdown,
    totals,
    amount_due: totals.total_incl_tax,
    operation_category: "goods",
    vat_on_debits: false,
    due_date: "2026-04-01",
    payee: { iban: "FR76 3000 1007 9412 3456 7890 185", bic: "BDFEFRPPCCT" },
    ...overrides,
  };
}

describe("CII builder in workerd", () => {
  it("renders seed 001's invoice: 125 m³ × 3.20 € at 5.5 % → 400.00 + 22.00 = 422.00, payable to the régie's IBAN", () => {
    const doc = seed001();
    expect(doc.totals).toEqual({ total_excl_tax: 40000, total_tax: 2200, total_incl_tax: 42200 });
    const xml = buildCii(doc);
    expect(xml).toContain("<ram:ID>urn:cen.eu:en16931:2017</ram:ID>");
    expect(xml).toContain("<ram:ID>B1</ram:ID>");
    expect(xml).toContain("<ram:TypeCode>380</ram:TypeCode>");
    expect(xml).toContain('<ram:TaxTotalAmount currencyID="EUR">22.00</ram:TaxTotalAmount>');
    expect(xml).toContain("<ram:GrandTotalAmount>422.00</ram:GrandTotalAmount>");
    expect(xml).toContain("<ram:DuePayableAmount>422.00</ram:DuePayableAmount>");
    expect(xml).toContain('<ram:BilledQuantity unitCode="MTQ">125</ram:BilledQuantity>');
    expect(xml).toContain("<ram:DepartmentName>Régie des eaux</ram:DepartmentName>");
    expect(xml).toContain('<ram:ID schemeID="0002">219200144</ram:ID>');
    expect(xml).toContain('<ram:ID schemeID="VA">FR02219200144</ram:ID>');
    expect(xml).toContain("<ram:IBANID>FR7630001007941234567890185</ram:IBANID>");
    expect(xml).toContain("<ram:PaymentReference>F-2026-00001</ram:PaymentReference>");
  });

  it("prints cents with two decimals", () => {
    expect([0, 5, 99, 100, 123456, -250].map(formatCents)).toEqual(["0.00", "0.05", "0.99", "1.00", "1234.56", "-2.50"]);
  });

  it("names the cadre de facturation (BT-23) from the operation and the payment situation", () => {
    const base = { type: "invoice", operation_category: "services", amount_paid: 0, amount_due: 1000 } as const;
    expect(billingFramework(base)).toBe("S1");
    expect(billingFramework({ ...base, operation_category: "goods" })).toBe("B1");
    expect(billingFramework({ ...base, operation_category: "mixed", amount_paid: 400, amount_due: 600 })).toBe("M1");
    expect(billingFramework({ ...base, amount_paid: 1000, amount_due: 0 })).toBe("S2");
    expect(billingFramework({ ...base, deducted_deposits: [{ number: "F-2026-00006", issue_date: "2026-03-02", amount: 300 }], amount_due: 700 })).toBe("S4");
    expect(billingFramework({ ...base, type: "deposit_invoice" })).toBe("S1");
    expect(billingFramework({ ...base, type: "credit_note", operation_category: "goods" })).toBe("B1");
  });

  it("refuses a document it must not print", () => {
    // A draft is a preview: no number, no Factur-X.
    expect(() => buildCii(seed001({ number: null }))).toThrow(/draft/);
    // An amount due that is not the total less what was already received.
    expect(() => buildCii(seed001({ amount_paid: 10000 }))).toThrow(/amount_due/);
    expect(() =>
      buildCii(seed001({ deducted_deposits: [{ number: "F-2026-00006", issue_date: "2026-03-01", amount: 5000 }], amount_due: 40000 })),
    ).toThrow(/amount_due/);
    // Totals that are not the sum of the lines.
    expect(() => buildCii(seed001({ totals: { total_excl_tax: 40100, total_tax: 2200, total_incl_tax: 42300 }, amount_due: 42300 }))).toThrow(
      /total_excl_tax/,
    );
    // A total VAT that is not the sum of the breakdown.
    expect(() => buildCii(seed001({ totals: { total_excl_tax: 40000, total_tax: 2300, total_incl_tax: 42300 }, amount_due: 42300 }))).toThrow(
      /VAT breakdown/,
    );
    // A credit note that does not say which invoice it credits.
    expect(() => buildCii(seed001({ type: "credit_note", credited_invoice: null }))).toThrow(/credits/);
  });

  it("identifies a seller charging VAT without a VAT number by its SIREN (BT-32, test mode only)", () => {
    const xml = buildCii(seed001({ seller: { ...seed001().seller, vat_number: null } }));
    expect(xml).toContain(`<ram:ID schemeID="FC">${seed001().seller.siren}</ram:ID>`);
    expect(xml).not.toContain('schemeID="VA"');
  });

  it("refuses a 0 % line without an exemption mention", () => {
    const { lines, tax_breakdown, totals } = computeAmounts([{ description: "Formation", quantity: 1, unit_price: 1000, vat_rate: 0 }]);
    const doc = seed001({ lines, tax_breakdown, totals, amount_due: totals.total_incl_tax });
    expect(() => buildCii(doc)).toThrow(/vat_exemption/);
    expect(buildCii({ ...doc, vat_exemption: "Exonération de TVA, article 261-4-4° du CGI" })).toContain(
      "<ram:ExemptionReason>Exonération de TVA, article 261-4-4° du CGI</ram:ExemptionReason>",
    );
  });
});
