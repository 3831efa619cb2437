// The PDFs of src/documents/pdf/, checked by tools that did not make them (issue 12, "The PDF is
// checked structurally"): Debian's poppler-utils (pdffonts, pdfinfo, pdfdetach, pdftotext,
// pdftoppm) and qpdf. The engine is bundled as the Worker bundles it (scripts/lib/bundle-documents.mjs)
// and fed the sample documents of pdf-samples.ts; every PDF is written to a temporary directory.
// The same engine runs in workerd in pdf.test.ts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { importBundled } from "../../scripts/lib/bundle-documents.mjs";

/** @type {Record<string, any>} */
let pdf;
/** @type {Record<string, any>} */
let s;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdf-structure-"));
/** @type {Map<string, string>} name → path of the rendered PDF */
const files = new Map();

function run(cmd, ...args) {
  return execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/**
 * pdftotext with French no-break spaces made plain, so assertions read naturally. The narrow one
 * before "%" is sometimes read as no space at all: percentages are compared without it ("5,5%").
 */
function text(file, ...args) {
  return run("pdftotext", "-layout", ...args, file, "-")
    .replace(/[\u00a0\u202f]/g, " ")
    .replace(/ %/g, "%");
}

/** @param {any} c a RENDER_CASES entry */
function renderCase(c) {
  if (c.kind === "quote") return pdf.renderQuotePdf(c.doc, s.INVOICE_OPTS);
  if (c.kind === "receipt") return pdf.renderReceiptPdf(c.doc, s.INVOICE_OPTS);
  return pdf.renderInvoicePdf(c.doc, c.xml, s.INVOICE_OPTS);
}

function qpdfJson(file) {
  const json = JSON.parse(run("qpdf", "--json=2", "--json-key=qpdf", file));
  const objects = json.qpdf[1];
  const get = (ref) => {
    const o = objects[`obj:${ref}`];
    assert.ok(o, `object ${ref} exists`);
    return o.value ?? o.stream;
  };
  return { trailer: objects.trailer.value, get, objects };
}

after(() => fs.rmSync(dir, { recursive: true, force: true }));

before(async () => {
  ({ pdf, samples: s } = await importBundled({ pdf: "src/documents/pdf/index.ts", samples: "test/documents/pdf-samples.ts" }));
  for (const c of s.RENDER_CASES) {
    const file = path.join(dir, `${c.name}.pdf`);
    fs.writeFileSync(file, await renderCase(c));
    files.set(c.name, file);
  }
});

describe("every document", () => {
  test("embeds all its fonts as subsets, none of the 14 standard fonts, and passes qpdf --check", () => {
    for (const [name, file] of files) {
      const rows = run("pdffonts", file).trim().split("\n").slice(2);
      assert.ok(rows.length >= 2, `${name}: fonts listed`);
      for (const row of rows) {
        const [fontName, ...rest] = row.split(/\s+/);
        const cols = rest.join(" ");
        assert.match(fontName ?? "", /^[A-Z]{6}\+DejaVuSansCondensed(-Bold)?$/, `${name}: subset-tagged DejaVu (${row})`);
        assert.match(cols, /CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/, `${name}: embedded subset with ToUnicode (${row})`);
        assert.doesNotMatch(row, /Type 1|Helvetica|Times|Courier|Symbol|ZapfDingbats/, `${name}: no standard font`);
      }
      assert.match(run("qpdf", "--check", file), /No syntax or stream encoding errors found/, `${name}: qpdf --check`);
    }
  });

  test("is a PDF/A-3b: XMP part 3 conformance B with a title, sRGB output intent with its ICC profile, fr-FR, DisplayDocTitle, a fixed /ID", () => {
    for (const [name, file] of files) {
      const meta = run("pdfinfo", "-meta", file);
      assert.match(meta, /<pdfaid:part>3<\/pdfaid:part>/, `${name}: pdfaid:part`);
      assert.match(meta, /<pdfaid:conformance>B<\/pdfaid:conformance>/, `${name}: pdfaid:conformance`);
      assert.match(meta, /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">[^<]+<\/rdf:li>/, `${name}: dc:title`);
      assert.match(meta, /<xmpMM:DocumentID>uuid:[0-9a-f-]{36}<\/xmpMM:DocumentID>/, `${name}: xmpMM:DocumentID`);
      assert.match(run("pdfinfo", file), /PDF version:\s+1\.7/, `${name}: PDF 1.7 (PDF/A-3)`);

      const { trailer, get } = qpdfJson(file);
      const catalog = get(trailer["/Root"]);
      assert.equal(catalog["/Lang"], "u:fr-FR", `${name}: /Lang`);
      const prefs = typeof catalog["/ViewerPreferences"] === "string" ? get(catalog["/ViewerPreferences"]) : catalog["/ViewerPreferences"];
      assert.equal(prefs["/DisplayDocTitle"], true, `${name}: DisplayDocTitle`);
      assert.equal(catalog["/OutputIntents"].length, 1, `${name}: one output intent`);
      const intent = get(catalog["/OutputIntents"][0]);
      assert.equal(intent["/S"], "/GTS_PDFA1");
      assert.equal(intent["/OutputConditionIdentifier"], "u:sRGB IEC61966-2.1");
      const profileRef = intent["/DestOutputProfile"];
      assert.equal(get(profileRef).dict["/N"], 3, `${name}: RGB profile`);
      // The ICC profile itself: its header says RGB, display class, and it is sRGB.
      const icc = execFileSync("qpdf", [`--show-object=${profileRef.split(" ")[0]}`, "--filtered-stream-data", file]);
      assert.equal(icc.subarray(36, 40).toString("latin1"), "acsp", `${name}: an ICC profile`);
      assert.equal(icc.subarray(16, 20).toString("latin1"), "RGB ", `${name}: RGB data colour space`);
      assert.match(icc.toString("latin1"), /sRGB IEC61966-2\.1/);
      // /ID: two equal 16-byte strings (derived from the document id, see pdf.test.ts for determinism).
      assert.equal(trailer["/ID"].length, 2);
      assert.equal(trailer["/ID"][0], trailer["/ID"][1]);
      assert.match(trailer["/ID"][0], /^b:[0-9a-f]{32}$/);
    }
  });

  test("page 1 renders to an image (pdftoppm)", () => {
    for (const [name, file] of files) {
      const prefix = path.join(dir, `${name}-page`);
      run("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", file, prefix);
      const png = fs.readFileSync(`${prefix}.png`);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${name}: a PNG`);
      assert.ok(png.length > 10_000, `${name}: not a blank page (${png.length} bytes)`);
    }
  });
});

test("renders the bytes recorded in pdf-hashes.json, which workerd renders too (pdf.test.ts)", () => {
  const expected = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "pdf-hashes.json"), "utf8"));
  const actual = Object.fromEntries([...files].map(([name, file]) => [name, createHash("sha256").update(fs.readFileSync(file)).digest("hex")]));
  assert.deepEqual(actual, expected, "an intended change of the documents' bytes: run `npx node scripts/render-samples.mjs --hashes` and commit pdf-hashes.json");
});

test("renders the same bytes with warm caches as it did cold, after other documents", async () => {
  // before() rendered the invoice first, in a fresh bundle; every other document since then.
  const again = await pdf.renderInvoicePdf(s.INVOICE, s.SAMPLE_XML, s.INVOICE_OPTS);
  assert.ok(Buffer.from(again).equals(fs.readFileSync(files.get("invoice"))));
});

describe("issued invoice (Factur-X EN 16931)", () => {
  test("carries the XML as factur-x.xml, byte for byte, with AFRelationship Alternative in the catalog /AF", () => {
    const file = files.get("invoice");
    assert.match(run("pdfdetach", "-list", file), /^1 embedded files\n1: factur-x\.xml\n$/);
    const out = path.join(dir, "extracted.xml");
    run("pdfdetach", "-save", "1", "-o", out, file);
    assert.deepEqual(fs.readFileSync(out), Buffer.from(s.SAMPLE_XML, "utf8"));

    const { trailer, get } = qpdfJson(file);
    const catalog = get(trailer["/Root"]);
    assert.equal(catalog["/AF"].length, 1);
    const spec = get(catalog["/AF"][0]);
    assert.equal(spec["/Type"], "/Filespec");
    assert.equal(spec["/AFRelationship"], "/Alternative");
    assert.equal(spec["/F"], "u:factur-x.xml");
    assert.equal(spec["/UF"], "u:factur-x.xml");
    const names = catalog["/Names"]["/EmbeddedFiles"]["/Names"];
    assert.deepEqual(names, ["u:factur-x.xml", catalog["/AF"][0]], "the same filespec in /EmbeddedFiles");
    const ef = get(spec["/EF"]["/F"]).dict;
    assert.equal(ef["/Type"], "/EmbeddedFile");
    assert.equal(ef["/Subtype"], "/text/xml");
    assert.equal(ef["/Params"]["/ModDate"], "u:D:20260402083000Z");
  });

  test("declares Factur-X in XMP: fx fields and their PDF/A extension schema", () => {
    const meta = run("pdfinfo", "-meta", files.get("invoice"));
    assert.match(meta, /<fx:DocumentType>INVOICE<\/fx:DocumentType>/);
    assert.match(meta, /<fx:DocumentFileName>factur-x\.xml<\/fx:DocumentFileName>/);
    assert.match(meta, /<fx:Version>1\.0<\/fx:Version>/);
    assert.match(meta, /<fx:ConformanceLevel>EN 16931<\/fx:ConformanceLevel>/);
    assert.match(meta, /<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#<\/pdfaSchema:namespaceURI>/);
    assert.match(meta, /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Facture FAC-2026-00001<\/rdf:li>/);
    assert.match(run("pdfinfo", files.get("invoice")), /Title:\s+Facture FAC-2026-00001/);
  });

  test("prints every mention of a French invoice", () => {
    const t = text(files.get("invoice"));
    for (const expected of [
      // Seller: name, régie, address, SIRET, VAT number.
      "Commune de Lyon",
      "Régie de l'Eau",
      "1 place de la Comédie",
      "69001 Lyon",
      "SIRET 216 901 207 00003",
      "FR85216901207",
      // Title, number, issue date.
      "Facture",
      "N° FAC-2026-00001",
      "Date d'émission : 02/04/2026",
      // Buyer with SIREN (business payer).
      "Boulangerie Martin SARL",
      "15 rue de la Paix",
      "SIREN 448 502 104",
      // Service period, operation category, VAT on debits.
      "du 01/01/2026 au 31/03/2026",
      "Prestation de services",
      "Option pour le paiement de la taxe d'après les débits",
      // Lines with units in French, unit price, rate, net.
      "Désignation",
      "m³",
      "mois",
      "2,10 €",
      "5,5%",
      "10%",
      "262,50 €",
      // VAT breakdown and totals.
      "286,00 €",
      "15,73 €",
      "250,00 €",
      "25,00 €",
      "536,00 €",
      "40,73 €",
      "Net à payer",
      "576,73 €",
      // Due date, terms, discount, penalties, 40 € indemnity.
      "02/05/2026",
      "Paiement à 30 jours",
      "Pas d'escompte pour paiement anticipé",
      "pénalités",
      "40 €",
      // How to pay: IBAN in groups of four, BIC, payment link.
      "FR76 3000 1007 9412 3456 7890 185",
      "BDFEFRPPCCT",
      "Payer en ligne",
      "Page 1/1",
    ]) {
      assert.ok(t.includes(expected), `the invoice shows "${expected}"`);
    }
    // The payment URL may wrap under the QR code; all of it is printed.
    assert.ok(t.replace(/\s+/g, "").includes(s.INVOICE.payment_url), "the payment URL");
  });

  test("links the QR code area to the payment URL", () => {
    const { get, objects } = qpdfJson(files.get("invoice"));
    const links = Object.values(objects)
      .map((o) => o.value)
      .filter((v) => v && v["/Subtype"] === "/Link");
    assert.equal(links.length, 1);
    const action = typeof links[0]["/A"] === "string" ? get(links[0]["/A"]) : links[0]["/A"];
    assert.equal(action["/S"], "/URI");
    assert.equal(action["/URI"], `u:${s.INVOICE.payment_url}`);
    assert.equal(links[0]["/F"], 4, "printable (PDF/A)");
  });
});

test("prints hostile text without breaking: unknown characters as '?', invisible ones dropped, long words cut, long URLs without a QR code", async () => {
  const doc = {
    ...s.INVOICE,
    number: "FAC-2026-00099",
    seller: { ...s.SELLER, primary_color: "#fff7ae", address: null },
    buyer: { ...s.CONSUMER_BUYER, name: "Zoë\u200b Durand 🚀 株式会社\u0007", address: null },
    lines: [{ ...s.WATER_LINES[0], description: `Réf.${"X".repeat(200)}\tfin\r\nsuite` }],
    payment_url: `https://pay.example.fr/p/${"a".repeat(400)}`,
  };
  const file = path.join(dir, "hostile.pdf");
  fs.writeFileSync(file, await pdf.renderInvoicePdf(doc, s.SAMPLE_XML, s.INVOICE_OPTS));
  const t = text(file);
  assert.ok(t.includes("Zoë Durand ? ????"), "emoji and CJK (not in DejaVu) shown as '?', the zero-width space and BEL dropped");
  assert.ok(t.includes("Réf.XXXX"), "a 200-character word is cut across lines");
  assert.ok(t.replace(/\s+/g, "").includes(doc.payment_url), "a URL too long for a QR code is printed in full");
  assert.match(run("pdffonts", file), /DejaVuSansCondensed\s+CID TrueType\s+Identity-H\s+yes yes yes/);
});

test("a seller without a VAT number prints its exemption mention instead, and 0 % lines", async () => {
  const doc = {
    ...s.INVOICE,
    number: "FAC-2026-00098",
    seller: { ...s.SELLER, vat_number: null, public_entity_unit: null, name: "Atelier Dupuis (EI)" },
    vat_exemption: "TVA non applicable, art. 293 B du CGI",
    vat_on_debits: false,
    lines: [{ description: "Réparation de vélo", quantity: 1, unit: "C62", unit_price: 4500, vat_rate: 0, net_amount: 4500 }],
    tax_breakdown: [{ vat_rate: 0, taxable_amount: 4500, tax_amount: 0 }],
    totals: { total_excl_tax: 4500, total_tax: 0, total_incl_tax: 4500 },
    amount_due: 4500,
  };
  const file = path.join(dir, "exempt.pdf");
  fs.writeFileSync(file, await pdf.renderInvoicePdf(doc, s.SAMPLE_XML, s.INVOICE_OPTS));
  const t = text(file);
  assert.ok(t.includes("TVA non applicable, art. 293 B du CGI"));
  assert.ok(!t.includes("N° TVA intracommunautaire"));
  assert.ok(!t.includes("Option pour le paiement de la taxe"), "no VAT-on-debits mention unless opted");
  assert.ok(/\b0%\s+45,00 €\s+0,00 €/.test(t), "the 0 % breakdown row");
});

describe("other documents", () => {
  test("a draft is marked 'Brouillon — ne vaut pas facture', has no number and nothing embedded", () => {
    const file = files.get("draft");
    const t = text(file);
    assert.ok(t.includes("Brouillon — ne vaut pas facture"));
    // The diagonal watermark: pdftotext reads rotated text one letter per line.
    assert.ok(run("pdftotext", "-raw", file, "-").replace(/\s+/g, "").includes("BROUILLON"), "the diagonal watermark");
    assert.ok(!t.includes("FAC-2026-00001"), "no number");
    assert.equal(run("pdfdetach", "-list", file), "0 embedded files\n");
    assert.doesNotMatch(run("pdfinfo", "-meta", file), /fx:/);
    const { trailer, get } = qpdfJson(file);
    assert.equal(get(trailer["/Root"])["/AF"], undefined);
  });

  test("a credit note says 'Avoir' and cites the invoice it credits with its date and the reason", () => {
    const t = text(files.get("credit"));
    for (const expected of ["Avoir", "N° AV-2026-00001", "Facture d'origine", "FAC-2026-00001 du 02/04/2026", "Erreur de facturation", "Montant de l'avoir", "576,73 €"]) {
      assert.ok(t.includes(expected), `the credit note shows "${expected}"`);
    }
    assert.ok(!t.includes("Net à payer"));
    assert.match(run("pdfdetach", "-list", files.get("credit")), /factur-x\.xml/);
  });

  test("a deposit invoice says 'Facture d'acompte'; the final invoice deducts it, cited by number and date", () => {
    assert.ok(text(files.get("deposit")).includes("Facture d'acompte"));
    const t = text(files.get("final"));
    for (const expected of ["Acompte FAC-2026-00002 du", "02/04/2026", "-720,00 €", "2 400,00 €", "Net à payer", "1 680,00 €", "Factures d'acompte déduites : FAC-2026-00002 du 02/04/2026"]) {
      assert.ok(t.includes(expected), `the final invoice shows "${expected}"`);
    }
  });

  test("a long invoice repeats the table header and numbers its pages", () => {
    const file = files.get("long");
    const pages = Number(/Pages:\s+(\d+)/.exec(run("pdfinfo", file))?.[1]);
    assert.ok(pages >= 3, `${pages} pages`);
    for (let p = 1; p <= pages; p++) {
      const t = text(file, "-f", String(p), "-l", String(p));
      assert.ok(t.includes(`Page ${p}/${pages}`), `page ${p} numbered`);
      if (p > 1) assert.ok(t.includes("Facture FAC-2026-00004 du 02/04/2026"), `page ${p} says which invoice it continues`);
      if (p < pages) assert.ok(t.includes("Désignation"), `page ${p} has the table header`);
    }
    assert.ok(text(file).includes("Intervention n° 60"), "every line printed");
  });

  test("a quote shows its validity and a 'Bon pour accord' box, and embeds nothing", () => {
    const t = text(files.get("quote"));
    for (const expected of ["Devis", "N° DEV-2026-00001", "Valable jusqu'au", "19/04/2026", "Bon pour accord", "2 400,00 €"]) {
      assert.ok(t.includes(expected), `the quote shows "${expected}"`);
    }
    assert.equal(run("pdfdetach", "-list", files.get("quote")), "0 embedded files\n");
  });

  test("a receipt shows payee, payer, amount, Paris date and time, method in French, what it pays and its number", () => {
    const t = text(files.get("receipt"));
    for (const expected of [
      "Reçu de paiement",
      "N° REC-2026-00001",
      "Commune de Lyon",
      "Boulangerie Martin SARL",
      "576,73 €",
      // 12:34:56Z in April is 14:34 in Paris (summer time).
      "15 avril 2026 à 14:34",
      "Virement SEPA",
      "FAC-2026-00001",
      "E2E-20260415-8F3K2M",
    ]) {
      assert.ok(t.includes(expected), `the receipt shows "${expected}"`);
    }
    assert.equal(run("pdfdetach", "-list", files.get("receipt")), "0 embedded files\n");
  });
});
