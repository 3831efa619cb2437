import type { InvoiceDocument, RenderOptions } from "../../documents/model";
import { documentEngine } from "./engine";
import { sha256HexBytes } from "../../lib/crypto";

export interface FacturX {
  pdf: Uint8Array;
  xml: Uint8Array;
  pdfSha256: string;
  xmlSha256: string;
}

const encoder = new TextEncoder();

/**
 * The Factur-X pair of an invoice or credit note: the CII XML and the PDF/A-3 that embeds it.
 * Deterministic: the same model and options give the same bytes, hence the same hashes.
 */
export async function renderFacturX(doc: InvoiceDocument, opts: RenderOptions): Promise<FacturX> {
  const { buildCii, renderInvoicePdf } = await documentEngine();
  const xmlText = buildCii(doc);
  const xml = encoder.encode(xmlText);
  const pdf = await renderInvoicePdf(doc, xmlText, opts);
  const [pdfSha256, xmlSha256] = await Promise.all([sha256HexBytes(pdf), sha256HexBytes(xml)]);
  return { pdf, xml, pdfSha256, xmlSha256 };
}
