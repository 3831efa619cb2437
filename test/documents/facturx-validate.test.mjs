// Issue 12, "Validation in npm test": the CII XML that src/documents/cii.ts builds must pass the
// official Factur-X 1.09 EN 16931 rules copied under validators/facturx-en16931/ — the XSD (Debian's
// xmllint) and the schematron compiled to XSLT (SaxonJS, npm package xslt3) with zero failed
// assertions flagged fatal or error; warnings are printed. For each document of the table, the
// totals read back from the XML (BT-106..115) are the model's, and the business terms that make the
// case (type code, cadre de facturation, cited invoices, exemption code…) are where they belong.
// SaxonJS is too heavy for workerd, so this is a plain node:test that imports the TypeScript module
// through Node's type stripping (Node ≥ 22.18; `npm run test:documents` uses the project's node
// devDependency).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildCii, computeAmounts, formatCents } from "../../src/documents/cii.ts";
import { isError, reader, schematron, xsdErrors } from "./facturx-rules.mjs";

// ── Fixtures (checksum-valid SIREN/SIRET/VAT numbers, a valid French IBAN) ─────────────────────────

const COMMUNE = {
  name: "Commune de Bourg-la-Reine",
  siren: "219200144",
  siret: "21920014400018",
  vat_number: "FR02219200144",
  address: { line1: "6 boulevard Carnot", postal_code: "92340", city: "Bourg-la-Reine", country: "FR" },
  public_entity_unit: "Régie des eaux",
  email: "regie.eaux@example.fr",
};
const COMPANY = {
  name: "Atelier Lumière SAS",
  siren: "801234568",
  siret: "80123456800013",
  vat_number: "FR66801234568",
  address: { line1: "18 rue de la Roquette", postal_code: "75011", city: "Paris", country: "FR" },
};
const MICRO = {
  name: "Camille Dubois EI",
  siren: "912345675",
  siret: "91234567500017",
  vat_number: null,
  address: { line1: "3 impasse des Tilleuls", postal_code: "69003", city: "Lyon" },
};
const CONSUMER = { name: "Jeanne Martin", address: { line1: "12 rue des Lilas", postal_code: "92340", city: "Bourg-la-Reine" }, is_business: false };
const BUSINESS = {
  name: "SARL Les Lilas",
  siren: "732829320",
  vat_number: "FR44732829320",
  address: { line1: "4 place du Marché", postal_code: "92340", city: "Bourg-la-Reine", country: "FR" },
  is_business: true,
};
const PAYEE = { iban: "FR76 3000 1007 9412 3456 7890 185", bic: "BDFEFRPPCCT", account_name: "Régie des eaux de Bourg-la-Reine" };
const B2B_MENTIONS = {
  early_payment_discount: "Pas d'escompte pour paiement anticipé",
  late_payment_penalty: "En cas de retard de paiement, pénalités au taux de refinancement de la BCE majoré de 10 points (art. L441-10 du Code de commerce)",
  recovery_indemnity: "Indemnité forfaitaire pour frais de recouvrement : 40 € (art. D441-5 du Code de commerce)",
};

/** An InvoiceDocument (src/documents/model.ts) with the amounts of its lines and, unless given, the due amount. */
function doc(number, rawLines, extra = {}) {
  const { lines, tax_breakdown, totals } = computeAmounts(rawLines);
  const d = {
    type: "invoice",
    number,
    issue_date: "2026-03-02",
    currency: "EUR",
    seller: COMPANY,
    buyer: BUSINESS,
    lines,
    tax_breakdown,
    totals,
    amount_paid: 0,
    operation_category: "services",
    vat_on_debits: false,
    due_date: "2026-04-01",
    payment_terms: "Paiement à 30 jours par virement SEPA",
    early_payment_discount: "Pas d'escompte pour paiement anticipé",
    payee: PAYEE,
    ...extra,
  };
  const deposits = (d.deducted_deposits ?? []).reduce((s, p) => s + p.amount, 0);
  d.amount_due ??= d.totals.total_incl_tax - deposits - (d.amount_paid ?? 0);
  return d;
}

const CASES = [
  {
    name: "seed 001: single 5.5 % rate, public-entity seller (régie), consumer payer, payment link",
    doc: doc("F-2026-00001", [{ description: "Consommation eau T1 2026", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }], {
      seller: COMMUNE,
      buyer: CONSUMER,
      operation_category: "goods",
      // Opted, but water is goods: the mention is carried, the debits tax point (BT-8) is not.
      vat_on_debits: true,
      payment_url: "https://pay.example.fr/p/pl_7Hq2",
    }),
    // 125 × 3.20 = 400.00; 5.5 % → 22.00.
    expect: {
      "BT-112": "422.00",
      "BT-23": "B1",
      "BT-3": "380",
      "BT-29": "21920014400018",
      "BT-30": "219200144",
      "BT-31": "FR02219200144",
      "BT-41": "Régie des eaux",
      "BT-47": "",
      "BT-50": "12 rue des Lilas",
      // No service date given: the date of supply is the issue date.
      "BT-72": "20260302",
      "BT-80": "",
      "BT-81": "58 68",
      "BT-83": "F-2026-00001",
      "BT-84": "FR7630001007941234567890185",
      "BT-8": "",
      "BT-22 codes": "AAB REG",
      "BT-130": "MTQ",
    },
  },
  {
    name: "mixed 5.5 % and 20 % with fractional quantities (VAT rounded per rate), business payer, VAT on debits",
    doc: doc(
      "F-2026-00002",
      [
        { description: "Intervention technicien", quantity: 2.5, unit: "HUR", unit_price: 4250, vat_rate: 5.5 },
        { description: "Ampoules LED", quantity: 3, unit_price: 1999, vat_rate: 20 },
        { description: "Câble (demi-mètre)", quantity: 0.5, unit: "MTR", unit_price: 333, vat_rate: 20 },
      ],
      { ...B2B_MENTIONS, vat_on_debits: true },
    ),
    // 5.5 %: 2.5 × 42.50 = 106.25 → 5.84375 → 5.84. 20 %: 59.97 + 1.665→1.67 = 61.64 → 12.328 → 12.33
    // (rounding each line instead would give 11.99 + 0.33 = 12.32). 106.25 + 61.64 = 167.89; VAT 18.17.
    expect: {
      "BT-109": "167.89",
      "BT-110": "18.17",
      "BT-112": "186.06",
      "BT-117": "12.33 5.84",
      "BT-131": "106.25 59.97 1.67",
      "BT-23": "S1",
      "BT-47": "732829320",
      "BT-48": "FR44732829320",
      "BT-8": "5 5",
      "BT-22 codes": "AAB PMD PMT REG",
      "BT-130": "HUR C62 MTR",
    },
  },
  {
    name: "0 % exempt line (category E, reason text) beside a 5.5 % line",
    doc: doc(
      "F-2026-00003",
      [
        { description: "Formation professionnelle continue", quantity: 1, unit_price: 45000, vat_rate: 0 },
        { description: "Manuel de formation", quantity: 1, unit_price: 2000, vat_rate: 5.5 },
      ],
      { vat_exemption: "Exonération de TVA, article 261-4-4° du CGI", ...B2B_MENTIONS },
    ),
    expect: {
      "BT-112": "471.10",
      "BT-118": "S E",
      "BT-119": "5.5 0",
      "BT-120": "Exonération de TVA, article 261-4-4° du CGI",
      "BT-121": "",
    },
  },
  {
    name: "consumer payer without SIREN or address",
    doc: doc("F-2026-00004", [{ description: "Location de salle", quantity: 1, unit_price: 15000, vat_rate: 20 }], {
      buyer: { name: "Paul Lefèvre", address: null, is_business: false },
    }),
    expect: { "BT-112": "180.00", "BT-47": "", "BT-50": "", "BT-55": "FR" },
  },
  {
    name: "seller without a VAT number: franchise en base (art. 293 B du CGI)",
    doc: doc("F-2026-00005", [{ description: "Création de logo", quantity: 1, unit_price: 60000, vat_rate: 0 }], {
      seller: MICRO,
      vat_exemption: "TVA non applicable, art. 293 B du CGI",
      ...B2B_MENTIONS,
    }),
    expect: {
      "BT-112": "600.00",
      "BT-31": "",
      "BT-32": "912345675",
      "BT-118": "E",
      "BT-120": "TVA non applicable, art. 293 B du CGI",
      "BT-121": "VATEX-FR-FRANCHISE",
    },
  },
  {
    name: "seller charging VAT without a VAT number (test mode): identified by BT-32, its SIREN (BR-S-02)",
    doc: doc("F-2026-00013", [{ description: "Location de salle", quantity: 1, unit_price: 15000, vat_rate: 20 }], { seller: MICRO }),
    expect: { "BT-112": "180.00", "BT-31": "", "BT-32": "912345675", "BT-118": "S" },
  },
  {
    name: "deposit invoice (386) before the supply",
    doc: doc("F-2026-00006", [{ description: "Acompte de 30 % sur le devis DEV-2026-00001", quantity: 1, unit_price: 150000, vat_rate: 20 }], {
      type: "deposit_invoice",
      quote_number: "DEV-2026-00001",
      ...B2B_MENTIONS,
    }),
    expect: { "BT-3": "386", "BT-23": "S1", "BT-112": "1800.00", "BT-72": "", "BT-80": "FR", "BT-22 codes": "AAB PMD PMT AAI" },
  },
  {
    name: "final invoice deducting the deposit: prepaid = deposit, amount due reduced, deposit cited",
    doc: doc("F-2026-00007", [{ description: "Aménagement de bureaux", quantity: 1, unit_price: 500000, vat_rate: 20 }], {
      deducted_deposits: [{ number: "F-2026-00006", issue_date: "2026-03-02", amount: 180000 }],
      issue_date: "2026-03-20",
      due_date: "2026-04-19",
      ...B2B_MENTIONS,
    }),
    expect: { "BT-3": "380", "BT-23": "S4", "BT-112": "6000.00", "BT-113": "1800.00", "BT-115": "4200.00", "BT-25": "F-2026-00006", "BT-26": "20260302" },
  },
  {
    name: "partially paid invoice",
    doc: doc("F-2026-00008", [{ description: "Abonnement annuel", quantity: 1, unit_price: 100000, vat_rate: 20 }], { amount_paid: 50000, ...B2B_MENTIONS }),
    expect: { "BT-23": "S1", "BT-112": "1200.00", "BT-113": "500.00", "BT-115": "700.00" },
  },
  {
    name: "invoice already paid when issued",
    doc: doc("F-2026-00009", [{ description: "Billet d'entrée", quantity: 2, unit_price: 1250, vat_rate: 10 }], {
      buyer: CONSUMER,
      amount_paid: 2750,
    }),
    expect: { "BT-23": "S2", "BT-112": "27.50", "BT-113": "27.50", "BT-115": "0.00" },
  },
  {
    name: "credit note (381), full, positive amounts, citing the invoice",
    doc: doc("AV-2026-00001", [{ description: "Consommation eau T1 2026", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }], {
      type: "credit_note",
      seller: COMMUNE,
      buyer: CONSUMER,
      operation_category: "goods",
      credited_invoice: { number: "F-2026-00001", issue_date: "2026-03-02", amount: 42200 },
      credit_reason: "Annulation de la facture F-2026-00001",
      issue_date: "2026-03-10",
      due_date: null,
      payment_terms: "Avoir remboursé par virement sous 14 jours",
    }),
    expect: { "BT-3": "381", "BT-23": "B1", "BT-112": "422.00", "BT-115": "422.00", "BT-25": "F-2026-00001", "BT-26": "20260302", "BT-81": "", "BT-83": "" },
  },
  {
    name: "partial credit note: a 100 € price reduction split across 20 % and 10 %",
    // The invoice: 187.50 at 20 % (37.50 VAT) and 100.00 at 10 % (10.00 VAT), 335.00 in all. 100.00
    // TTC split in proportion of each rate's TTC: 225/335 → 67.16 TTC = 55.97 + 11.19 at 20 %;
    // 32.84 TTC = 29.85 + 2.99 at 10 % (29.85 × 10 % = 2.985, half-up 2.99).
    doc: doc(
      "AV-2026-00002",
      [
        { description: "Remise commerciale sur F-2026-00011 (TVA 20 %)", quantity: 1, unit_price: 5597, vat_rate: 20 },
        { description: "Remise commerciale sur F-2026-00011 (TVA 10 %)", quantity: 1, unit_price: 2985, vat_rate: 10 },
      ],
      {
        type: "credit_note",
        credited_invoice: { number: "F-2026-00011", issue_date: "2026-03-01" },
        credit_reason: "Remise commerciale de 100 €",
        payment_terms: "Montant remboursé sur le compte du payeur",
        due_date: null,
      },
    ),
    expect: { "BT-3": "381", "BT-109": "85.82", "BT-110": "14.18", "BT-112": "100.00", "BT-117": "11.19 2.99", "BT-25": "F-2026-00011" },
  },
  {
    name: "service period instead of a date (BG-14), energy in kWh, mixed operation, VAT on debits",
    doc: doc("F-2026-00012", [
      { description: "Recharge de véhicules électriques", quantity: 312.5, unit: "KWH", unit_price: 25, vat_rate: 20 },
      { description: "Borne de recharge (location)", quantity: 1, unit_price: 3000, vat_rate: 20 },
    ], {
      service_period: { start: "2026-02-01", end: "2026-02-28" },
      operation_category: "mixed",
      vat_on_debits: true,
      ...B2B_MENTIONS,
    }),
    // 312.5 × 0.25 = 78.125 → 78.13; + 30.00 = 108.13 → 21.626 → 21.63.
    expect: { "BT-23": "M1", "BT-72": "", "BT-73": "20260201", "BT-74": "20260228", "BT-80": "FR", "BT-8": "5", "BT-112": "129.76", "BT-130": "KWH C62" },
  },
];

for (const c of CASES) {
  test(`Factur-X EN 16931: ${c.name}`, async (t) => {
    const d = c.doc;
    const xml = buildCii(d);

    // (a) XSD
    const xsd = xsdErrors(xml, d.number);
    assert.equal(xsd, null, `XSD: ${xsd}\n${xml}`);

    // (b) schematron (XSLT → SVRL)
    const failed = await schematron(xml);
    for (const w of failed.filter((f) => !isError(f))) t.diagnostic(`warning ${w.id}: ${w.text} (${w.location})`);
    const errors = failed.filter(isError);
    assert.deepEqual(errors, [], `schematron errors:\n${errors.map((e) => `${e.flag ?? "(no flag)"} ${e.id}: ${e.text}`).join("\n")}\n${xml}`);

    // (c) The totals read back from the XML are the model's (what the API stored), and the case's own terms.
    const read = await reader(xml);
    const prepaid = (d.deducted_deposits ?? []).reduce((s, p) => s + p.amount, 0) + (d.amount_paid ?? 0);
    assert.deepEqual(
      { "BT-106": read("BT-106"), "BT-109": read("BT-109"), "BT-110": read("BT-110"), "BT-112": read("BT-112"), "BT-113": read("BT-113"), "BT-115": read("BT-115") },
      {
        "BT-106": formatCents(d.lines.reduce((s, l) => s + l.net_amount, 0)),
        "BT-109": formatCents(d.totals.total_excl_tax),
        "BT-110": formatCents(d.totals.total_tax),
        "BT-112": formatCents(d.totals.total_incl_tax),
        "BT-113": formatCents(prepaid),
        "BT-115": formatCents(d.amount_due),
      },
    );
    assert.deepEqual(Object.fromEntries(Object.keys(c.expect).map((term) => [term, read(term)])), c.expect);
  });
}

test("Factur-X EN 16931: the schematron rejects a document whose totals were tampered with", async () => {
  const xml = buildCii(CASES[0].doc).replace(/<ram:TaxBasisTotalAmount>400\.00</, "<ram:TaxBasisTotalAmount>401.00<");
  assert.equal(xsdErrors(xml, "tampered-totals"), null, "still well-formed for the XSD: the business rules must catch it");
  const broken = (await schematron(xml)).filter(isError).map((f) => f.text);
  assert.ok(broken.some((text) => text?.startsWith("[BR-CO-13]")), `BR-CO-13 expected among:\n${broken.join("\n")}`);
  assert.ok(broken.some((text) => text?.startsWith("[BR-CO-15]")), `BR-CO-15 expected among:\n${broken.join("\n")}`);
});

test("Factur-X EN 16931: the XSD rejects a document without its type code", () => {
  const xml = buildCii(CASES[0].doc).replace(/\s*<ram:TypeCode>380<\/ram:TypeCode>/, "");
  assert.match(xsdErrors(xml, "no-type-code") ?? "", /IssueDateTime.*Expected is.*TypeCode/s);
});
