// The payment receipt ("reçu", the "ticket de paiement" French public payers get): who was paid, by
// whom, how much, when (Europe/Paris), how, and for what. A plain PDF/A-3b, not an invoice.
import type { ReceiptDocument, RenderOptions } from "../model";
import { documentHeader, footers, GAP, labelValues, sellerLines, smallPrint } from "./blocks";
import { Canvas } from "./canvas";
import { createDocument, documentDigest, finishDocument } from "./archive";
import { formatMoney, formatParisDateTime, formatSiret, paymentMethodLabel } from "./format";
import { CONTENT_WIDTH, theme } from "./theme";

export async function renderReceiptPdf(doc: ReceiptDocument, opts: RenderOptions): Promise<Uint8Array> {
  const digest = await documentDigest(opts);
  const { doc: pdf, fonts } = await createDocument(digest);
  const canvas = new Canvas(pdf, fonts, theme(doc.seller.primary_color));
  const when = formatParisDateTime(doc.paid_at);

  documentHeader(canvas, doc.seller, sellerLines(doc.seller, null), "Reçu de paiement", [
    { text: `N° ${doc.number}`, bold: true },
    { text: `Paiement du ${when}` },
  ]);

  // The amount, prominent.
  const top = canvas.y;
  const h = 62;
  canvas.rect(canvas.left, top - h, CONTENT_WIDTH, h, { fill: canvas.theme.tint });
  canvas.rect(canvas.left, top - h, 4, h, { fill: canvas.theme.accent });
  canvas.text("MONTANT REÇU", canvas.left + 16, top - 18, { size: 8, bold: true, color: canvas.theme.muted });
  canvas.text(formatMoney(doc.amount, doc.currency), canvas.left + 16, top - 45, { size: 24, bold: true, color: canvas.theme.accent });
  canvas.text(paymentMethodLabel(doc.method), canvas.right - 16, top - 24, { size: 11, bold: true, align: "right" });
  canvas.text(`le ${when} (heure de Paris)`, canvas.right - 16, top - 41, { size: 9, color: canvas.theme.muted, align: "right" });
  canvas.y = top - h - GAP - 4;

  const rows: [string, string][] = [
    ["Payé par", doc.payer.email ? `${doc.payer.name} (${doc.payer.email})` : doc.payer.name],
    ["Bénéficiaire", [doc.seller.name, doc.seller.public_entity_unit].filter(Boolean).join(" — ")],
  ];
  if (doc.pays.kind === "invoice") {
    rows.push(["Objet", `Règlement de la facture ${doc.pays.number}`]);
    rows.push(["Montant de la facture", `${formatMoney(doc.pays.total_incl_tax)} TTC`]);
    rows.push(["Reste dû après ce paiement", formatMoney(doc.pays.amount_due_after)]);
  } else {
    rows.push(["Objet", doc.pays.description]);
  }
  if (doc.authorized_amount != null && doc.authorized_amount > doc.amount) {
    rows.push(["Caution autorisée", `${formatMoney(doc.authorized_amount, doc.currency)} (le reste de l'autorisation est libéré)`]);
  }
  rows.push(["Moyen de paiement", paymentMethodLabel(doc.method)]);
  if (doc.reference) rows.push(["Référence de l'opération", doc.reference]);
  if (doc.refunded_amount > 0) rows.push(["Montant remboursé depuis", formatMoney(doc.refunded_amount, doc.currency)]);
  rows.push(["N° du reçu", doc.number]);
  const used = labelValues(canvas, canvas.left, canvas.y, CONTENT_WIDTH, rows);
  canvas.y -= used + GAP;

  smallPrint(canvas, "Mentions", [
    "Ce reçu atteste l'encaissement du paiement ci-dessus. Il ne constitue pas une facture.",
    "Date et heure exprimées à l'heure de Paris.",
  ]);

  footers(canvas, [doc.seller.name, `SIRET ${formatSiret(doc.seller.siret)}`].join(" — "), `Reçu ${doc.number}`);
  const title = `Reçu de paiement ${doc.number}`;
  return finishDocument(pdf, digest, opts, { title, author: doc.seller.name, subject: `${title} — ${doc.payer.name} — ${formatMoney(doc.amount, doc.currency)}` }, null);
}
