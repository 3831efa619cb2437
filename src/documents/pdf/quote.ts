// The quote ("devis"): a plain PDF/A-3b — a quote is not an invoice, so no Factur-X — with its
// validity date and a "Bon pour accord" box for the buyer's signature.
import type { QuoteDocument, RenderOptions } from "../model";
import {
  continuationHeader,
  documentHeader,
  draftBanner,
  draftWatermarks,
  footers,
  GAP,
  labelValues,
  linesTable,
  partyBox,
  sellerLines,
  smallPrint,
  vatAndTotals,
} from "./blocks";
import { Canvas } from "./canvas";
import { createDocument, documentDigest, finishDocument } from "./archive";
import { formatDate, formatMoney, formatSiret } from "./format";
import { CONTENT_WIDTH, theme } from "./theme";

export const QUOTE_DRAFT_MARKING = "Brouillon — devis non envoyé";

export async function renderQuotePdf(doc: QuoteDocument, opts: RenderOptions): Promise<Uint8Array> {
  const isDraft = doc.number === null;
  const digest = await documentDigest(opts);
  const { doc: pdf, fonts } = await createDocument(digest);
  const canvas = new Canvas(pdf, fonts, theme(doc.seller.primary_color));
  if (isDraft) draftBanner(canvas, QUOTE_DRAFT_MARKING);

  const subtitle = isDraft
    ? [{ text: "Sans numéro : attribué à l'envoi", bold: true }, { text: `Préparé le ${formatDate(doc.issue_date)}` }]
    : [{ text: `N° ${doc.number}`, bold: true }, { text: `Date : ${formatDate(doc.issue_date)}` }];
  documentHeader(canvas, doc.seller, sellerLines(doc.seller, doc.vat_exemption), "Devis", subtitle);

  const top = canvas.y;
  const buyerWidth = 232;
  const detailsHeight = labelValues(canvas, canvas.left, top, CONTENT_WIDTH - buyerWidth - 24, [
    ["Date du devis", formatDate(doc.issue_date)],
    ["Valable jusqu'au", formatDate(doc.valid_until)],
  ]);
  const buyerHeight = partyBox(canvas, canvas.right - buyerWidth, top, buyerWidth, "Client", doc.buyer);
  canvas.y = top - Math.max(detailsHeight, buyerHeight) - GAP - 4;

  linesTable(canvas, doc.lines, continuationHeader(isDraft ? `Devis — ${QUOTE_DRAFT_MARKING}` : `Devis ${doc.number} du ${formatDate(doc.issue_date)}`));
  vatAndTotals(
    canvas,
    doc.tax_breakdown,
    [
      { label: "Total HT", amount: doc.totals.total_excl_tax },
      { label: "Total TVA", amount: doc.totals.total_tax },
    ],
    { label: "Total TTC", amount: doc.totals.total_incl_tax },
  );

  const mentions: string[] = [`Devis valable jusqu'au ${formatDate(doc.valid_until)}. Ce devis n'est pas une facture.`];
  if (doc.payment_terms) mentions.push(`Conditions de paiement : ${doc.payment_terms}`);
  if (doc.vat_exemption && doc.seller.vat_number) mentions.push(doc.vat_exemption);
  smallPrint(canvas, "Conditions", mentions);
  if (doc.notes?.length) smallPrint(canvas, "Notes", doc.notes);

  approvalBox(canvas);

  const sellerFooter = [doc.seller.name, doc.seller.public_entity_unit, `SIRET ${formatSiret(doc.seller.siret)}`, doc.seller.vat_number ? `TVA ${doc.seller.vat_number}` : null]
    .filter(Boolean)
    .join(" — ");
  footers(canvas, sellerFooter, isDraft ? "Devis (brouillon)" : `Devis ${doc.number}`);
  if (isDraft) draftWatermarks(canvas);

  const title = isDraft ? `Devis — ${QUOTE_DRAFT_MARKING}` : `Devis ${doc.number}`;
  return finishDocument(pdf, digest, opts, { title, author: doc.seller.name, subject: `${title} — ${doc.buyer.name} — ${formatMoney(doc.totals.total_incl_tax)} TTC` }, null);
}

/** "Bon pour accord": where the buyer dates, names and signs. */
function approvalBox(canvas: Canvas): void {
  const height = 96;
  canvas.ensure(height + 6);
  const top = canvas.y;
  const leftWidth = 200;
  canvas.text("Bon pour accord", canvas.left, top - 10, { size: 10.5, bold: true, color: canvas.theme.accent });
  const boxTop = top - 18;
  const h = height - 18;
  canvas.rect(canvas.left, boxTop - h, leftWidth, h, { stroke: canvas.theme.rule, lineWidth: 0.8 });
  canvas.text("Date :", canvas.left + 8, boxTop - 16, { size: 8.5, color: canvas.theme.muted });
  canvas.text("Nom et qualité du signataire :", canvas.left + 8, boxTop - 40, { size: 8.5, color: canvas.theme.muted });
  const sx = canvas.left + leftWidth + 12;
  const sw = canvas.right - sx;
  canvas.rect(sx, boxTop - h, sw, h, { stroke: canvas.theme.rule, lineWidth: 0.8 });
  for (const [i, l] of canvas.wrap("Signature et cachet, précédés de la mention manuscrite «\u00a0Bon pour accord\u00a0»", sw - 16, { size: 8.5 }).entries()) {
    canvas.text(l, sx + 8, boxTop - 16 - i * 11, { size: 8.5, color: canvas.theme.muted });
  }
  canvas.y = top - height - GAP;
}
