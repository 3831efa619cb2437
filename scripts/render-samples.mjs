// Renders the committed sample invoice: docs/samples/facture-FAC-2026-00001.pdf (a Factur-X
// PDF/A-3b with the CII XML that src/documents/cii.ts builds) and its first page as a PNG at 100 dpi
// (Debian's poppler-utils `pdftoppm`). The invoice is test/documents/pdf-samples.ts's INVOICE: a
// town hall's water régie billing a business for a quarter (two VAT rates, payment link, IBAN).
// The engine is bundled as the Worker bundles it (scripts/lib/bundle-documents.mjs).
//
//   node scripts/render-samples.mjs [output-dir]   the sample files (default docs/samples)
//   node scripts/render-samples.mjs --bench        CPU time of one invoice render (XML + PDF), median of 50 after 10 warm-ups
//   node scripts/render-samples.mjs --hashes       rewrite test/documents/pdf-hashes.json after an intended change of the output
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { importBundled, root } from "./lib/bundle-documents.mjs";

const { pdf, samples, cii } = await importBundled({
  pdf: "src/documents/pdf/index.ts",
  samples: "test/documents/pdf-samples.ts",
  cii: "src/documents/cii.ts",
});

/** @param {string} documentId */
async function renderInvoice(documentId) {
  const xml = cii.buildCii(samples.INVOICE);
  return /** @type {Uint8Array} */ (await pdf.renderInvoicePdf(samples.INVOICE, xml, { ...samples.INVOICE_OPTS, document_id: documentId }));
}

if (process.argv.includes("--hashes")) {
  // The SHA-256 of every test sample, checked in Node (pdf-structure.test.mjs) and in workerd
  // (pdf.test.ts): an archived document must come out byte-identical in both runtimes.
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const c of samples.RENDER_CASES) {
    const opts = samples.INVOICE_OPTS;
    const bytes =
      c.kind === "quote" ? await pdf.renderQuotePdf(c.doc, opts) : c.kind === "receipt" ? await pdf.renderReceiptPdf(c.doc, opts) : await pdf.renderInvoicePdf(c.doc, c.xml, opts);
    hashes[c.name] = createHash("sha256").update(bytes).digest("hex");
  }
  const file = path.join(root, "test/documents/pdf-hashes.json");
  writeFileSync(file, `${JSON.stringify(hashes, null, 2)}\n`);
  console.log(`${file}: ${Object.keys(hashes).length} hashes`);
} else if (process.argv.includes("--bench")) {
  /** @type {number[]} */
  const cpu = [];
  /** @type {number[]} */
  const wall = [];
  for (let i = 0; i < 60; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await renderInvoice(`bench_${i}`);
    const c = process.cpuUsage(c0);
    if (i >= 10) {
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  /** @param {number[]} a */
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]?.toFixed(1);
  console.log(`invoice document (CII XML + Factur-X PDF), ${cpu.length} renders after 10 warm-ups: median CPU ${median(cpu)} ms, median wall ${median(wall)} ms`);
} else {
  const outDir = path.resolve(process.argv[2] ?? path.join(root, "docs/samples"));
  const bytes = await renderInvoice(samples.INVOICE_OPTS.document_id);
  mkdirSync(outDir, { recursive: true });
  const base = `facture-${samples.INVOICE.number}`;
  const pdfPath = path.join(outDir, `${base}.pdf`);
  writeFileSync(pdfPath, bytes);
  // With -singlefile pdftoppm writes <prefix>.png.
  const prefix = path.join(outDir, `${base}.render`);
  execFileSync("pdftoppm", ["-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", pdfPath, prefix]);
  renameSync(`${prefix}.png`, path.join(outDir, `${base}.png`));
  console.log(`${pdfPath}: ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex")}`);
  console.log(`${path.join(outDir, `${base}.png`)}: page 1 at 100 dpi`);
}
