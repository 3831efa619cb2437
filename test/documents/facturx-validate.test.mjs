// Issue 12, "Validation in npm test": the CII XML that src/documents/cii.ts builds must pass the
// official Factur-X 1.09 EN 16931 rules copied under validators/facturx-en16931/ — the XSD (Debian's
// xmllint) and the schematron compiled to XSLT (SaxonJS, npm package xslt3) with zero failed
// assertions flagged fatal or error; warnings are printed. SaxonJS is too heavy for workerd, so this
// is a plain node:test that imports the TypeScript module through Node's type stripping (Node ≥ 22.18;
// `npm run test:documents` uses the project's node devDependency).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { buildCii, computeAmounts } from "../../src/documents/cii.ts";

const root = path.resolve(import.meta.dirname, "../..");
const dir = path.join(root, "validators/facturx-en16931");
const XSD = path.join(dir, "Factur-X_EN16931.xsd");
const XSL = path.join(dir, "Factur-X_1.09_EN16931.xsl");
const require = createRequire(import.meta.url);
/** Path of the compiled schematron, set on first use. */
let sef;

/** The XSL compiled to SEF, cached by the XSL's mtime and size (compiling takes ~15 s). */
function compiledSchematron() {
  const stat = fs.statSync(XSL);
  const cacheDir = path.join(root, "node_modules/.cache/facturx");
  const sef = path.join(cacheDir, `Factur-X_1.09_EN16931.${stat.size}-${Math.trunc(stat.mtimeMs)}.sef.json`);
  if (!fs.existsSync(sef)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = path.join(os.tmpdir(), `facturx-${process.pid}.sef.json`);
    execFileSync(process.execPath, [require.resolve("xslt3/xslt3.js"), `-xsl:${XSL}`, `-export:${tmp}`, "-nogo"], { stdio: ["ignore", "ignore", "pipe"] });
    fs.renameSync(tmp, sef);
  }
  return sef;
}

const SELLER = {
  name: "Régie des eaux de Bourg-la-Reine",
  siret: "21920014200015",
  vat_number: "FR32219200142",
  address: { line1: "6 boulevard Carnot", postal_code: "92340", city: "Bourg-la-Reine", country: "FR" },
};
const PAYEE = { iban: "FR76 3000 1007 9412 3456 7890 185", bic: "BDFEFRPPCCT" };
const BUYER = { name: "Jeanne Martin", address: { line1: "12 rue des Lilas", postal_code: "92340", city: "Bourg-la-Reine" } };

function invoice(number, lines, extra = {}) {
  return {
    number,
    issue_date: "2026-03-02",
    seller: SELLER,
    buyer: BUYER,
    lines,
    ...computeAmounts(lines),
    amount_paid: 0,
    due_date: "2026-04-01",
    payment_terms: "Paiement à 30 jours par virement SEPA. Pénalités de retard : 3 fois le taux d'intérêt légal.",
    payee: PAYEE,
    ...extra,
  };
}

const CASES = [
  {
    name: "single 5.5 % rate (seed 001)",
    input: invoice("F-2026-00001", [{ description: "Consommation eau T1 2024", quantity: 125, unit: "MTQ", unit_price: 320, vat_rate: 5.5 }]),
    expect: { ht: "400.00", tva: "22.00", ttc: "422.00", due: "422.00" },
  },
  {
    name: "mixed 20 % and 10 % with a fractional quantity, business buyer, partially paid",
    input: invoice(
      "F-2026-00002",
      [
        { description: "Intervention technicien", quantity: 2.5, unit: "HUR", unit_price: 6000, vat_rate: 20 },
        { description: "Pièces détachées", quantity: 3, unit_price: 1250, vat_rate: 20 },
        { description: "Travaux de rénovation", quantity: 1, unit_price: 10000, vat_rate: 10 },
      ],
      { buyer: { ...BUYER, name: "SARL Les Lilas", siren: "732829320" }, amount_paid: 5000 },
    ),
    // 20 %: 15000 + 3750 = 18750 → 3750 VAT; 10 %: 10000 → 1000 VAT.
    expect: { ht: "287.50", tva: "47.50", ttc: "335.00", due: "285.00" },
  },
  {
    name: "0 % exempt line with a reason",
    input: invoice("F-2026-00003", [{ description: "Formation professionnelle continue", quantity: 1, unit_price: 45000, vat_rate: 0 }], {
      vat_exemption_reason: "Exonération de TVA, article 261-4-4° du CGI",
    }),
    expect: { ht: "450.00", tva: "0.00", ttc: "450.00", due: "450.00" },
  },
];

/**
 * The failed assertions of the SVRL report of `xml`. In this XSL only three asserts carry a flag
 * (`warning`); an assert without a flag is an error (ISO Schematron's default), so an error is any
 * failed assert whose flag is not `warning`/`info`/`information` — not only `fatal`/`error`.
 */
async function schematron(xml) {
  sef ??= compiledSchematron();
  // saxon-js is xslt3's own dependency: resolve it from there.
  const SaxonJS = createRequire(require.resolve("xslt3/package.json"))("saxon-js");
  const { principalResult: svrl } = await SaxonJS.transform({ stylesheetFileName: sef, sourceText: xml, destination: "serialized" }, "async");
  assert.match(svrl, /<svrl:fired-rule\b/, "the schematron fired no rule: not a CII document?");
  return [...svrl.matchAll(/<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g)].map(([, attrs, body]) => ({
    id: /\bid="([^"]*)"/.exec(attrs)?.[1],
    flag: /\bflag="([^"]*)"/.exec(attrs)?.[1],
    location: /\blocation="([^"]*)"/.exec(attrs)?.[1],
    text: /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(body)?.[1]?.replace(/\s+/g, " ").trim(),
  }));
}

const isError = (f) => !["warning", "info", "information"].includes(f.flag ?? "");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "facturx-test-"));

for (const c of CASES) {
  test(`Factur-X EN 16931: ${c.name}`, async (t) => {
    const xml = buildCii(c.input);
    const file = path.join(tmp, `${c.input.number}.xml`);
    fs.writeFileSync(file, xml);

    // The totals printed are the amounts computed for the invoice.
    const amount = (tag) => new RegExp(`<ram:${tag}[^>]*>([^<]*)</ram:${tag}>`).exec(xml.split("SpecifiedTradeSettlementHeaderMonetarySummation")[1])?.[1];
    assert.deepEqual(
      { ht: amount("TaxBasisTotalAmount"), tva: amount("TaxTotalAmount"), ttc: amount("GrandTotalAmount"), due: amount("DuePayableAmount") },
      c.expect,
    );

    // (a) XSD
    try {
      execFileSync("xmllint", ["--noout", "--schema", XSD, file], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      if (e.code === "ENOENT") assert.fail("xmllint not found: apt-get install -y libxml2-utils (as .ci/run does)");
      assert.fail(`XSD: ${e.stderr?.toString() ?? e.message}\n${xml}`);
    }

    // (b) schematron (XSLT → SVRL)
    const failed = await schematron(xml);
    for (const w of failed.filter((f) => !isError(f))) t.diagnostic(`warning ${w.id}: ${w.text} (${w.location})`);
    const errors = failed.filter(isError);
    assert.deepEqual(errors, [], `schematron errors:\n${errors.map((e) => `${e.flag ?? "(no flag)"} ${e.id}: ${e.text}`).join("\n")}\n${xml}`);
  });
}

test("Factur-X EN 16931: the validator rejects a document whose totals do not add up", async () => {
  const input = invoice("F-2026-99999", [{ description: "Abonnement", quantity: 2, unit_price: 1000, vat_rate: 20 }]);
  input.totals = { ...input.totals, total_excl_tax: input.totals.total_excl_tax + 100 };
  const ids = (await schematron(buildCii(input))).filter(isError).map((f) => f.id);
  assert.ok(ids.includes("FX-SCH-A-000120"), `BR-CO-13 (FX-SCH-A-000120) expected among ${ids.join(", ")}`);
});
