// The pieces the invoice, quote and receipt layouts share: the seller header, the boxes of the two
// parties, label/value lists, the lines table (continued across pages with its header repeated),
// the VAT breakdown and totals, the mentions, the draft marking and the page footers.
import type { DocumentBuyer, DocumentLine, DocumentSeller, DocumentVatBreakdown } from "../model";
import type { Canvas } from "./canvas";
import { addressLines, formatMoney, formatQuantity, formatRate, formatSiret, unitLabel } from "./format";
import { CONTENT_WIDTH, PAGE } from "./theme";

export const GAP = 16;

/** A draft's diagonal "BROUILLON" across every page, over the content. */
export function draftWatermarks(canvas: Canvas): void {
  canvas.eachPage(() => canvas.diagonal("BROUILLON", canvas.theme.alert, 0.13));
}

/** The red strip at the top of a draft's first page; moves the cursor below it. */
export function draftBanner(canvas: Canvas, text: string): void {
  const h = 22;
  const top = canvas.y;
  canvas.rect(canvas.left, top - h, CONTENT_WIDTH, h, { fill: canvas.theme.alert });
  canvas.text(text, PAGE.width / 2, top - 15, { size: 10.5, bold: true, color: canvas.theme.white, align: "center" });
  canvas.y = top - h - 14;
}

/** Seller identity lines under its name (régie, address, identifiers). */
export function sellerLines(seller: DocumentSeller, exemptionWhenNoVat: string | null | undefined): { text: string; bold?: boolean }[] {
  const lines: { text: string; bold?: boolean }[] = [];
  if (seller.public_entity_unit) lines.push({ text: seller.public_entity_unit, bold: true });
  for (const l of addressLines(seller.address)) lines.push({ text: l });
  lines.push({ text: `SIRET ${formatSiret(seller.siret)}` });
  if (seller.vat_number) lines.push({ text: `N° TVA intracommunautaire ${seller.vat_number}` });
  else if (exemptionWhenNoVat) lines.push({ text: exemptionWhenNoVat });
  if (seller.email) lines.push({ text: seller.email });
  return lines;
}

/**
 * Page 1's header: the seller on the left, the document's title, number and date on the right.
 * Moves the cursor below the taller of the two.
 */
export function documentHeader(
  canvas: Canvas,
  seller: DocumentSeller,
  sellerExtra: { text: string; bold?: boolean }[],
  title: string,
  subtitleLines: { text: string; bold?: boolean }[],
): void {
  const top = canvas.y;
  const leftWidth = 285;
  // Seller.
  const nameLines = canvas.wrap(seller.name, leftWidth, { size: 13, bold: true });
  let y = top;
  for (const l of nameLines) {
    canvas.text(l, canvas.left, y - 13, { size: 13, bold: true, color: canvas.theme.accent });
    y -= 16;
  }
  y -= 2;
  for (const item of sellerExtra) {
    for (const l of canvas.wrap(item.text, leftWidth, { size: 8.5, bold: item.bold ?? false })) {
      canvas.text(l, canvas.left, y - 8.5, { size: 8.5, bold: item.bold ?? false, color: item.bold ? canvas.theme.ink : canvas.theme.muted });
      y -= 11.5;
    }
  }
  // Title block.
  let ty = top;
  canvas.text(title, canvas.right, ty - 22, { size: 22, bold: true, color: canvas.theme.accent, align: "right" });
  ty -= 30;
  for (const item of subtitleLines) {
    const size = item.bold ? 11 : 9;
    canvas.text(item.text, canvas.right, ty - size, { size, bold: item.bold ?? false, align: "right", color: item.bold ? canvas.theme.ink : canvas.theme.muted });
    ty -= size + 5;
  }
  canvas.y = Math.min(y, ty) - GAP;
}

/** The buyer's box (right half, where a window envelope shows the address). Returns its height. */
export function partyBox(canvas: Canvas, x: number, top: number, width: number, heading: string, buyer: Pick<DocumentBuyer, "name" | "address" | "siren" | "vat_number" | "email">): number {
  const pad = 9;
  const inner = width - 2 * pad;
  const rows: { text: string; bold?: boolean; size: number }[] = [];
  for (const l of canvas.wrap(buyer.name, inner, { size: 10, bold: true })) rows.push({ text: l, bold: true, size: 10 });
  for (const a of addressLines(buyer.address)) for (const l of canvas.wrap(a, inner, { size: 9 })) rows.push({ text: l, size: 9 });
  if (buyer.siren) rows.push({ text: `SIREN ${formatSiret(buyer.siren)}`, size: 8.5 });
  if (buyer.vat_number) rows.push({ text: `N° TVA ${buyer.vat_number}`, size: 8.5 });
  const height = pad + 10 + 6 + rows.reduce((h, r) => h + r.size + 3.5, 0) + pad - 3;
  canvas.rect(x, top - height, width, height, { stroke: canvas.theme.rule, lineWidth: 0.8 });
  canvas.rect(x, top - height, 3, height, { fill: canvas.theme.accent });
  canvas.text(heading.toUpperCase(), x + pad + 2, top - pad - 7, { size: 7, bold: true, color: canvas.theme.muted });
  let y = top - pad - 10 - 6;
  for (const r of rows) {
    canvas.text(r.text, x + pad + 2, y - r.size, { size: r.size, bold: r.bold ?? false });
    y -= r.size + 3.5;
  }
  return height;
}

/** Label/value rows (dates, references); values wrap. Returns the height used. */
export function labelValues(canvas: Canvas, x: number, top: number, width: number, rows: readonly [string, string][]): number {
  const labelWidth = Math.min(118, width * 0.45);
  let y = top;
  for (const [label, value] of rows) {
    const valueLines = canvas.wrap(value, width - labelWidth, { size: 9 });
    const labelLines = canvas.wrap(label, labelWidth - 6, { size: 8.5 });
    labelLines.forEach((l, i) => canvas.text(l, x, y - 9 - i * 11.5, { size: 8.5, color: canvas.theme.muted }));
    valueLines.forEach((l, i) => canvas.text(l, x + labelWidth, y - 9 - i * 11.5, { size: 9 }));
    y -= Math.max(valueLines.length, labelLines.length) * 11.5 + 3;
  }
  return top - y;
}

// The lines table. Widths in points; the description takes what the numbers leave.
const COLS = { qty: 46, unit: 40, price: 66, rate: 42, total: 74 };
const DESC_WIDTH = CONTENT_WIDTH - COLS.qty - COLS.unit - COLS.price - COLS.rate - COLS.total;
const CELL_PAD = 5;

function columnEdges(left: number) {
  const desc = left;
  const qtyRight = desc + DESC_WIDTH + COLS.qty;
  const unitLeft = qtyRight + 8;
  const priceRight = qtyRight + COLS.unit + COLS.price;
  const rateRight = priceRight + COLS.rate;
  const totalRight = rateRight + COLS.total;
  return { desc, qtyRight, unitLeft, priceRight, rateRight, totalRight };
}

function tableHeader(canvas: Canvas): void {
  const h = 19;
  const e = columnEdges(canvas.left);
  const top = canvas.y;
  canvas.rect(canvas.left, top - h, CONTENT_WIDTH, h, { fill: canvas.theme.accent });
  const base = top - 12.5;
  const st = { size: 8, bold: true, color: canvas.theme.white } as const;
  canvas.text("Désignation", e.desc + CELL_PAD, base, st);
  canvas.text("Qté", e.qtyRight - CELL_PAD, base, { ...st, align: "right" });
  canvas.text("Unité", e.unitLeft, base, st);
  canvas.text("PU HT", e.priceRight - CELL_PAD, base, { ...st, align: "right" });
  canvas.text("TVA", e.rateRight - CELL_PAD, base, { ...st, align: "right" });
  canvas.text("Total HT", e.totalRight - CELL_PAD, base, { ...st, align: "right" });
  canvas.y = top - h;
}

/**
 * The lines table. On a page break, `continuation` draws the top of the next page (a short
 * reminder of the document) and the table header is repeated under it.
 */
export function linesTable(canvas: Canvas, lines: readonly DocumentLine[], continuation: (c: Canvas) => void): void {
  const e = columnEdges(canvas.left);
  canvas.ensure(19 + 24);
  tableHeader(canvas);
  canvas.onPageBreak = (c) => {
    continuation(c);
    tableHeader(c);
  };
  lines.forEach((line, i) => {
    const desc = canvas.wrap(line.description, DESC_WIDTH - 2 * CELL_PAD, { size: 9 });
    const rowH = desc.length * 11.5 + 8;
    canvas.ensure(rowH);
    const top = canvas.y;
    if (i % 2 === 1) canvas.rect(canvas.left, top - rowH, CONTENT_WIDTH, rowH, { fill: canvas.theme.zebra });
    const base = top - 4 - 9;
    desc.forEach((l, j) => canvas.text(l, e.desc + CELL_PAD, base - j * 11.5, { size: 9 }));
    canvas.text(formatQuantity(line.quantity), e.qtyRight - CELL_PAD, base, { size: 9, align: "right" });
    canvas.text(unitLabel(line.unit), e.unitLeft, base, { size: 9 });
    canvas.text(formatMoney(line.unit_price), e.priceRight - CELL_PAD, base, { size: 9, align: "right" });
    canvas.text(formatRate(line.vat_rate), e.rateRight - CELL_PAD, base, { size: 9, align: "right" });
    canvas.text(formatMoney(line.net_amount), e.totalRight - CELL_PAD, base, { size: 9, align: "right" });
    canvas.y = top - rowH;
    canvas.rule(canvas.left, canvas.y, canvas.right, canvas.y, canvas.theme.rule, 0.4);
  });
  // After the table, a page break only needs the reminder.
  canvas.onPageBreak = continuation;
}

export type TotalRow = { label: string; amount: number; bold?: boolean };

/** VAT breakdown (left) and totals (right), then the highlighted final amount. */
export function vatAndTotals(canvas: Canvas, breakdown: readonly DocumentVatBreakdown[], rows: readonly TotalRow[], final: { label: string; amount: number }): void {
  const vatWidth = 236;
  const totalsWidth = 226;
  const vatRows = breakdown.length;
  const vatHeight = 17 + vatRows * 15 + 4;
  const laidRows = rows.map((r) => {
    const size = r.bold ? 10 : 9;
    const lineHeight = r.bold ? 17 : 15;
    const labelLines = canvas.wrap(r.label, totalsWidth - 96, { size, bold: r.bold ?? false });
    return { ...r, size, lineHeight, labelLines, height: lineHeight + (labelLines.length - 1) * (size + 3) };
  });
  const totalsHeight = laidRows.reduce((h, r) => h + r.height, 0) + 8 + 30;
  canvas.ensure(Math.max(vatHeight, totalsHeight) + 6);
  const top = canvas.y - 10;

  // VAT breakdown.
  const x = canvas.left;
  canvas.rect(x, top - 17, vatWidth, 17, { fill: canvas.theme.tint });
  const hs = { size: 7.5, bold: true, color: canvas.theme.muted } as const;
  canvas.text("TAUX DE TVA", x + 6, top - 11.5, hs);
  canvas.text("BASE HT", x + 150, top - 11.5, { ...hs, align: "right" });
  canvas.text("MONTANT TVA", x + vatWidth - 6, top - 11.5, { ...hs, align: "right" });
  let vy = top - 17;
  for (const b of breakdown) {
    canvas.text(formatRate(b.vat_rate), x + 6, vy - 11, { size: 9 });
    canvas.text(formatMoney(b.taxable_amount), x + 150, vy - 11, { size: 9, align: "right" });
    canvas.text(formatMoney(b.tax_amount), x + vatWidth - 6, vy - 11, { size: 9, align: "right" });
    vy -= 15;
    canvas.rule(x, vy, x + vatWidth, vy, canvas.theme.rule, 0.4);
  }

  // Totals.
  const tx = canvas.right - totalsWidth;
  let ty = top;
  for (const r of laidRows) {
    r.labelLines.forEach((l, i) =>
      canvas.text(l, tx + 6, ty - r.lineHeight + 5 - i * (r.size + 3), { size: r.size, bold: r.bold ?? false, color: r.bold ? canvas.theme.ink : canvas.theme.muted }),
    );
    canvas.text(formatMoney(r.amount), canvas.right - 6, ty - r.lineHeight + 5, { size: r.size, bold: r.bold ?? false, align: "right" });
    ty -= r.height;
    canvas.rule(tx, ty, canvas.right, ty, canvas.theme.rule, 0.4);
  }
  ty -= 8;
  canvas.rect(tx, ty - 30, totalsWidth, 30, { fill: canvas.theme.accent });
  canvas.text(final.label, tx + 9, ty - 19, { size: 10.5, bold: true, color: canvas.theme.white });
  canvas.text(formatMoney(final.amount), canvas.right - 9, ty - 20, { size: 14, bold: true, color: canvas.theme.white, align: "right" });
  ty -= 30;
  canvas.y = Math.min(vy, ty) - GAP;
}

/** A titled section of small print (legal mentions, notes). */
export function smallPrint(canvas: Canvas, heading: string, paragraphs: readonly string[]): void {
  if (paragraphs.length === 0) return;
  const lines = paragraphs.map((p) => canvas.wrap(p, CONTENT_WIDTH, { size: 7.8 }));
  const first = (lines[0]?.length ?? 1) * 10.2;
  canvas.ensure(14 + first);
  canvas.text(heading, canvas.left, canvas.y - 8.5, { size: 8.5, bold: true, color: canvas.theme.accent });
  canvas.y -= 14;
  for (const p of lines) {
    canvas.ensure(p.length * 10.2 + 2);
    p.forEach((l, i) => canvas.text(l, canvas.left, canvas.y - 7.8 - i * 10.2, { size: 7.8, color: canvas.theme.muted }));
    canvas.y -= p.length * 10.2 + 3;
  }
  canvas.y -= GAP / 2;
}

/** Footer of every page: who issued it on the left, the document and "Page i/n" on the right. */
export function footers(canvas: Canvas, left: string, right: string): void {
  canvas.eachPage((i, n) => {
    const y = 34;
    canvas.rule(canvas.left, y + 10, canvas.right, y + 10, canvas.theme.rule, 0.5);
    const pageText = `${right}${right ? " — " : ""}Page ${i + 1}/${n}`;
    const rightWidth = canvas.width(pageText, { size: 7.5 });
    const leftLines = canvas.wrap(left, CONTENT_WIDTH - rightWidth - 16, { size: 7.5 });
    leftLines.slice(0, 2).forEach((l, j) => canvas.text(l, canvas.left, y - j * 9.5, { size: 7.5, color: canvas.theme.muted }));
    canvas.text(pageText, canvas.right, y, { size: 7.5, color: canvas.theme.muted, align: "right" });
  });
}

/** The short reminder at the top of a continued page. */
export function continuationHeader(label: string): (c: Canvas) => void {
  return (c) => {
    c.text(label, c.left, c.y - 9, { size: 9, bold: true, color: c.theme.accent });
    c.text("(suite)", c.right, c.y - 9, { size: 8.5, color: c.theme.muted, align: "right" });
    c.y -= 20;
  };
}
