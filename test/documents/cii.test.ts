// src/documents/cii.ts runs in the Worker's runtime (workerd, no nodejs_compat): the official
// Factur-X rules are checked in Node by test/documents/facturx-validate.test.mjs (SaxonJS is not
// for workerd); here, that the same builder loads and produces seed 001's amounts inside workerd.
import { describe, expect, it } from "vitest";
import { buildCii, computeAmounts, formatCents } from "../../src/documents/cii";

describe("CII builder in workerd", () => {
  it("builds seed 001's invoice: 125 × 3.20 € at 5.5 % → 400.00 + 22.00 = 422.00", () => {
    const lines = [{ description: "Consommation eau T1 2024", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }];
    const amounts = computeAmounts(lines);
    expect(amounts.totals).toEqual({ total_excl_tax: 40000, total_tax: 2200, total_incl_tax: 42200 });
    const xml = buildCii({
      number: "F-2026-00001",
      issue_date: "2026-03-02",
      seller: {
        name: "Régie des eaux",
        siret: "21920014200015",
        vat_number: "FR32219200142",
        address: { line1: "6 boulevard Carnot", postal_code: "92340", city: "Bourg-la-Reine" },
      },
      buyer: { name: "Jeanne Martin", address: { line1: "12 rue des Lilas", postal_code: "92340", city: "Bourg-la-Reine" } },
      lines,
      ...amounts,
      due_date: "2026-04-01",
      payee: { iban: "FR7630001007941234567890185", bic: "BDFEFRPPCCT" },
    });
    expect(xml).toContain("<ram:ID>urn:cen.eu:en16931:2017</ram:ID>");
    expect(xml).toContain('<ram:TaxTotalAmount currencyID="EUR">22.00</ram:TaxTotalAmount>');
    expect(xml).toContain("<ram:GrandTotalAmount>422.00</ram:GrandTotalAmount>");
    expect(xml).toContain('<ram:BilledQuantity unitCode="MTQ">125</ram:BilledQuantity>');
    expect(xml).toContain("<ram:Name>Régie des eaux</ram:Name>");
  });

  it("prints cents with two decimals", () => {
    expect([0, 5, 99, 100, 123456, -250].map(formatCents)).toEqual(["0.00", "0.05", "0.99", "1.00", "1234.56", "-2.50"]);
  });

  it("refuses a 0 % line without an exemption reason", () => {
    const lines = [{ description: "Formation", quantity: 1, unit_price: 1000, vat_rate: 0 }];
    const base = {
      number: "F-1",
      issue_date: "2026-03-02",
      seller: { name: "S", siret: "219200142", vat_number: "FR32219200142", address: { line1: "a", postal_code: "75001", city: "Paris" } },
      buyer: { name: "B", address: { line1: "b", postal_code: "75001", city: "Paris" } },
      lines,
      ...computeAmounts(lines),
    };
    expect(() => buildCii(base)).toThrow(/vat_exemption_reason/);
  });
});
