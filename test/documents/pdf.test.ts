// The PDF engine (src/documents/pdf/) inside workerd, the runtime that serves the documents: it
// loads (fonts through wrangler's Data rule), renders every kind of document, and gives the same
// bytes for the same input. What the pages say and the PDF/A structure are checked with
// independent tools (poppler, qpdf) in pdf-structure.test.mjs, which workerd cannot run.
import { AFRelationship, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from "@cantoo/pdf-lib";
import { describe, expect, it } from "vitest";
import { accentColor, DEFAULT_ACCENT, FACTURX, formatMoney, renderInvoicePdf, renderQuotePdf, renderReceiptPdf } from "../../src/documents/pdf";
import hashes from "./pdf-hashes.json";
import { CREDIT_NOTE, DEPOSIT_INVOICE, DRAFT, FINAL_INVOICE, INVOICE, INVOICE_OPTS, LONG_INVOICE, QUOTE, RECEIPT, RENDER_CASES, SAMPLE_XML } from "./pdf-samples";

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function xmp(pdf: PDFDocument): string {
  const stream = pdf.catalog.lookup(PDFName.of("Metadata"));
  if (!(stream instanceof PDFRawStream)) throw new Error("no XMP metadata stream");
  return new TextDecoder().decode(decodePDFRawStream(stream).decode());
}

async function open(bytes: Uint8Array) {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const af = pdf.catalog.lookupMaybe(PDFName.of("AF"), PDFArray);
  const filespecs = af ? af.asArray().map((ref) => pdf.context.lookup(ref, PDFDict)) : [];
  return { pdf, xmp: xmp(pdf), filespecs, attachments: pdf.getAttachments(), title: pdf.getTitle() };
}

describe("PDF engine in workerd", () => {
  it("renders an issued invoice as a Factur-X PDF/A-3b carrying the given XML byte for byte", async () => {
    const bytes = await renderInvoicePdf(INVOICE, SAMPLE_XML, INVOICE_OPTS);
    expect(new TextDecoder().decode(bytes.slice(0, 8))).toBe("%PDF-1.7");
    const { xmp, filespecs, attachments, title, pdf } = await open(bytes);
    expect(title).toBe("Facture FAC-2026-00001");
    expect(pdf.getPageCount()).toBe(1);
    expect(attachments.map((a) => a.name)).toEqual(["factur-x.xml"]);
    expect(new TextDecoder().decode(attachments[0]?.data)).toBe(SAMPLE_XML);
    expect(filespecs).toHaveLength(1);
    expect(filespecs[0]?.get(PDFName.of("AFRelationship"))).toBe(PDFName.of(AFRelationship.Alternative));
    expect(xmp).toContain("<pdfaid:part>3</pdfaid:part>");
    expect(xmp).toContain("<pdfaid:conformance>B</pdfaid:conformance>");
    expect(xmp).toContain("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>");
    expect(xmp).toContain("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>");
    expect(FACTURX.afRelationship).toBe("Alternative");
  });

  it("gives byte-identical PDFs for the same input and options, and another /ID for another document", async () => {
    const a = await renderInvoicePdf(INVOICE, SAMPLE_XML, INVOICE_OPTS);
    const b = await renderInvoicePdf(structuredClone(INVOICE), SAMPLE_XML, { ...INVOICE_OPTS });
    expect(await sha256(b)).toBe(await sha256(a));
    for (const render of [() => renderQuotePdf(QUOTE, INVOICE_OPTS), () => renderReceiptPdf(RECEIPT, INVOICE_OPTS)]) {
      expect(await sha256(await render())).toBe(await sha256(await render()));
    }
    const other = await renderInvoicePdf(INVOICE, SAMPLE_XML, { ...INVOICE_OPTS, document_id: "inv_other" });
    expect(await sha256(other)).not.toBe(await sha256(a));
    const ids = await Promise.all([a, other].map(async (bytes) => (await PDFDocument.load(bytes, { updateMetadata: false })).context.trailerInfo.ID?.toString()));
    expect(ids[0]).not.toBe(ids[1]);
    // The dates written are the options', not the clock's.
    const { pdf } = await open(a);
    expect(pdf.getCreationDate()?.toISOString()).toBe("2026-04-02T08:30:00.000Z");
    expect(pdf.getModificationDate()?.toISOString()).toBe("2026-04-02T08:30:00.000Z");
  });

  it("renders the bytes recorded in pdf-hashes.json, which Node renders too (pdf-structure.test.mjs)", async () => {
    const actual: Record<string, string> = {};
    for (const c of RENDER_CASES) {
      const bytes =
        c.kind === "quote" ? await renderQuotePdf(c.doc, INVOICE_OPTS) : c.kind === "receipt" ? await renderReceiptPdf(c.doc, INVOICE_OPTS) : await renderInvoicePdf(c.doc, c.xml, INVOICE_OPTS);
      actual[c.name] = await sha256(bytes);
    }
    expect(actual, "an intended change of the documents' bytes: run `npx node scripts/render-samples.mjs --hashes`").toEqual(hashes);
  });

  it("renders a draft as a marked preview with no number and nothing embedded, even when given XML", async () => {
    const { title, attachments, filespecs, pdf, xmp } = await open(await renderInvoicePdf(DRAFT, SAMPLE_XML, INVOICE_OPTS));
    expect(title).toBe("Facture — Brouillon — ne vaut pas facture");
    expect(attachments).toEqual([]);
    expect(filespecs).toEqual([]);
    expect(pdf.catalog.lookupMaybe(PDFName.of("Names"), PDFDict)?.has(PDFName.of("EmbeddedFiles")) ?? false).toBe(false);
    expect(xmp).not.toContain("fx:DocumentType");
    expect(xmp).not.toContain("FAC-2026-00001");
  });

  it("titles a credit note 'Avoir' and a deposit invoice 'Facture d'acompte', both Factur-X", async () => {
    for (const [doc, expected] of [
      [CREDIT_NOTE, "Avoir AV-2026-00001"],
      [DEPOSIT_INVOICE, "Facture d'acompte FAC-2026-00002"],
      [FINAL_INVOICE, "Facture FAC-2026-00003"],
    ] as const) {
      const { title, attachments } = await open(await renderInvoicePdf(doc, SAMPLE_XML, INVOICE_OPTS));
      expect(title).toBe(expected);
      expect(attachments.map((a) => a.name)).toEqual(["factur-x.xml"]);
    }
  });

  it("renders a quote and a receipt as plain PDF/A-3b with nothing embedded", async () => {
    for (const [bytes, expected] of [
      [await renderQuotePdf(QUOTE, INVOICE_OPTS), "Devis DEV-2026-00001"],
      [await renderReceiptPdf(RECEIPT, INVOICE_OPTS), "Reçu de paiement REC-2026-00001"],
    ] as const) {
      const { title, attachments, xmp } = await open(bytes);
      expect(title).toBe(expected);
      expect(attachments).toEqual([]);
      expect(xmp).toContain("<pdfaid:part>3</pdfaid:part>");
      expect(xmp).not.toContain("fx:");
    }
  });

  it("continues a long lines table over pages", async () => {
    const { pdf } = await open(await renderInvoicePdf(LONG_INVOICE, SAMPLE_XML, INVOICE_OPTS));
    // 60 two-line rows cannot fit on two A4 pages.
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(3);
  });

  it("prints amounts exactly as Intl.NumberFormat fr-FR does in this runtime", () => {
    const intl = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
    for (const cents of [0, 5, 99, 100, 42200, 123456, 100000000, -2550, -123456789]) {
      expect(formatMoney(cents)).toBe(intl.format(cents / 100));
    }
  });

  it("keeps a brand colour only when it reads on white (4.5:1)", () => {
    expect(accentColor("#0B6E4F")).toBe("#0b6e4f");
    expect(accentColor("#ffd400")).toBe(DEFAULT_ACCENT);
    expect(accentColor("not a colour")).toBe(DEFAULT_ACCENT);
    expect(accentColor(null)).toBe(DEFAULT_ACCENT);
  });

  // CPU sanity, logged rather than asserted: a timing depends on the machine, and deployed workerd
  // only advances its clock on I/O. `node scripts/render-samples.mjs --bench` measures it in Node.
  it("renders ten invoices in a row (time per render logged)", async () => {
    const start = Date.now();
    const hashes = new Set<string>();
    for (let i = 0; i < 10; i++) hashes.add(await sha256(await renderInvoicePdf(INVOICE, SAMPLE_XML, { ...INVOICE_OPTS, document_id: `inv_${i}` })));
    console.log(`invoice render in workerd: ${((Date.now() - start) / 10).toFixed(1)} ms each by the runtime's clock (10 renders)`);
    expect(hashes.size).toBe(10);
  });
});
