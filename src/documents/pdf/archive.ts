// The PDF/A-3b envelope every document shares, and the Factur-X attachment of invoices.
//
// Determinism: the archive records a document's SHA-256 at issue and may regenerate it after a
// crash, so the same input and options must give the same bytes. Nothing here reads a clock or a
// random source: the Info and XMP dates come from `opts.created_at`, the trailer /ID and the XMP
// DocumentID/InstanceID from a SHA-256 of `opts.document_id`, the font subset tags from the same
// hash, and pdf-lib's own generator (the only other source of variation) is seeded per document.
//
// What @cantoo/pdf-lib gets right and we rely on (checked by test/documents/pdf-structure.test.mjs
// with poppler and qpdf, not taken on trust): the sRGB IEC61966-2.1 ICC output intent (GTS_PDFA1),
// the uncompressed XMP packet kept equal to the Info dictionary, the embedded file's /Subtype,
// /Params /ModDate, /F, /UF and /Desc, its filespec in the catalog /AF array and /EmbeddedFiles,
// and the Factur-X XMP extension schema. What we set ourselves: /ID (it would be random), the
// dates (it would use the clock), /Lang, DisplayDocTitle, the xmpMM identifiers and the subset
// font names (pdf-lib names them "Font-1234", not with the six-letter subset tag PDF expects).
import { AFRelationship, embedFacturX, PDFDocument, PDFHexString } from "@cantoo/pdf-lib";
import fontkit from "@cantoo/fontkit";
import type { RenderOptions } from "../model";
import { type Fonts } from "./canvas";
import { cachingFontkit, FONT_FILES, fontBytes } from "./fonts";

const sharedFontkit = cachingFontkit(fontkit);

export const PRODUCER = "Paiements API — moteur de documents 1.0 (pdf-lib)";

/** The Factur-X attachment: the file name and XMP values the specification fixes for the EN 16931 profile. */
export const FACTURX = {
  fileName: "factur-x.xml",
  conformanceLevel: "EN 16931",
  version: "1.0",
  documentType: "INVOICE",
  // The relationship of the XML to the PDF it is embedded in. The Factur-X specification (§6.2.2
  // "Data relationship"; ZUGFeRD 2.1.1 technical supplement Part A §2.2.2) requires "Data" for the
  // MINIMUM and BASIC WL profiles — they are not full invoices — and gives "Alternative" (the XML
  // is another representation of the same invoice) for those that are: BASIC, EN 16931, EXTENDED.
  // So do the reference implementations: the ZUGFeRD community's Mustang (ZUGFeRD/mustangproject,
  // ZUGFeRDExporterFromA3.prepare(): "Alternative" unless MINIMUM or BASICWL, citing that section)
  // and akretion's `factur-x` (behind FNFE-MPE's public generation service: "data" forced for
  // minimum/basicwl, data, source or alternative accepted above them).
  afRelationship: AFRelationship.Alternative,
} as const;

export type DocumentMeta = {
  title: string;
  author: string;
  subject: string;
  keywords?: string[];
};

export type Digest = Uint8Array;

export async function documentDigest(opts: RenderOptions): Promise<Digest> {
  const data = new TextEncoder().encode(`paiements-api/document/${opts.document_id}`);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

function parseInstant(iso: string, field: string): Date {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${field} is not an ISO instant: ${iso}`);
  // PDF and XMP dates have second precision: drop the milliseconds so Info and XMP agree exactly.
  d.setUTCMilliseconds(0);
  return d;
}

/** Six capital letters, the subset tag PDF (ISO 32000 §9.6.4) prefixes to a subset font's name. */
function subsetTag(digest: Digest, salt: number): string {
  let tag = "";
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[(salt * 6 + i) % digest.length] ?? 0) % 26));
  return tag;
}

function uuidFrom(digest: Digest, offset: number): string {
  const hex = Array.from(digest.slice(offset, offset + 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A new document with the two embedded (subset) fonts. */
export async function createDocument(digest: Digest): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  // updateMetadata: false, or pdf-lib writes the current time and its own Producer.
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(sharedFontkit);
  const regular = await doc.embedFont(fontBytes("regular"), {
    subset: true,
    customName: `${subsetTag(digest, 1)}+${FONT_FILES.regular.postscriptName}`,
  });
  const bold = await doc.embedFont(fontBytes("bold"), {
    subset: true,
    customName: `${subsetTag(digest, 2)}+${FONT_FILES.bold.postscriptName}`,
  });
  return { doc, fonts: { regular, bold } };
}

/**
 * Makes the drawn document a PDF/A-3b (and, given the CII XML, a Factur-X EN 16931 invoice) and
 * serializes it.
 */
export async function finishDocument(
  doc: PDFDocument,
  digest: Digest,
  opts: RenderOptions,
  meta: DocumentMeta,
  facturx: { xml: string } | null,
): Promise<Uint8Array> {
  const created = parseInstant(opts.created_at, "created_at");

  // DisplayDocTitle: viewers show "Facture FAC-2026-00001", not the file name (PDF/UA and good manners).
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.author);
  doc.setSubject(meta.subject);
  if (meta.keywords?.length) doc.setKeywords(meta.keywords);
  doc.setCreator("Paiements API");
  doc.setProducer(PRODUCER);
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  // Always French: an invoice issued in France must be (CGI ann. II art. 242 nonies A), and every
  // label here is; `opts.locale` does not translate documents.
  doc.setLanguage("fr-FR");

  // The file identifier: both halves equal (an original, never modified), derived from document_id.
  const id = PDFHexString.of(Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join(""));
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);

  // XMP Media Management ids (a predefined XMP schema: no PDF/A extension schema needed). pdf-lib
  // keeps this block as a "foreign" description when it rebuilds the packet on save.
  const xmpMM =
    '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">' +
    `<xmpMM:DocumentID>uuid:${uuidFrom(digest, 0)}</xmpMM:DocumentID>` +
    `<xmpMM:InstanceID>uuid:${uuidFrom(digest, 16)}</xmpMM:InstanceID>` +
    "</rdf:Description>";
  doc.convertToPDFA({ conformance: "3B", extensions: [xmpMM] });

  if (facturx) {
    await embedFacturX(doc, new TextEncoder().encode(facturx.xml), {
      fileName: FACTURX.fileName,
      conformanceLevel: FACTURX.conformanceLevel,
      version: FACTURX.version,
      documentType: FACTURX.documentType,
      afRelationship: FACTURX.afRelationship,
      description: "Factur-X EN 16931 : facture au format CII (XML)",
      creationDate: created,
      modificationDate: created,
    });
  }

  return doc.save({ addDefaultPage: false });
}
