// A clickable area opening a URL (the payment link under its QR code). PDF/A-3 allows Link
// annotations with a URI action; they must be printable (/F 4) and need no appearance stream.
import { PDFArray, PDFName, PDFString } from "@cantoo/pdf-lib";
import type { Canvas } from "./canvas";

export function linkAnnotation(canvas: Canvas, url: string, rect: { x: number; y: number; width: number; height: number }): void {
  let href: string;
  try {
    // A PDF URI is 7-bit ASCII: URL normalises and percent-encodes anything else.
    href = new URL(url).href;
  } catch {
    return;
  }
  if (!/^https?:$/.test(new URL(href).protocol)) return;
  const ctx = canvas.doc.context;
  const annot = ctx.obj({
    Type: "Annot",
    Subtype: "Link",
    Rect: [rect.x, rect.y, rect.x + rect.width, rect.y + rect.height],
    Border: [0, 0, 0],
    F: 4,
    Contents: PDFString.of("Payer en ligne"),
    A: { Type: "Action", S: "URI", URI: PDFString.of(href) },
  });
  const ref = ctx.register(annot);
  const page = canvas.page.node;
  const existing = page.lookupMaybe(PDFName.of("Annots"), PDFArray);
  if (existing) existing.push(ref);
  else page.set(PDFName.of("Annots"), ctx.obj([ref]));
}
