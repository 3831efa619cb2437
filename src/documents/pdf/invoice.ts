// The invoice (380), deposit invoice (386) and credit note (381) as a person reads them: every
// mention French law asks of an invoice (CGI ann. II art. 242 nonies A, Code de commerce L441-9
// and the e-invoicing reform's new ones), laid out on A4 — see issue 12, "What the document says".
import type { InvoiceDocument, RenderOptions } from "../model";
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
  type TotalRow,
  vatAndTotals,
} from "./blocks";
import { Canvas } from "./canvas";
import { createDocument, documentDigest, finishDocument } from "./archive";
import { formatDate, formatIban, formatMoney, formatSiret, operationCategoryLabel } from "./format";
import { drawQrCode, QR_MAX_LENGTH } from "./qr";
import { CONTENT_WIDTH, theme } from "./theme";
import { linkAnnotation } from "./link";

export const DRAFT_MARKING = "Brouillon — ne vaut pas facture";

const TITLES = { invoice: "Facture", deposit_invoice: "Facture d'acompte", credit_note: "Avoir" } as const;

/** "Facture FAC-2026-00001", "Avoir AV-2026-00001", "Facture (brouillon)". */
export function invoiceTitle(doc: Pick<InvoiceDocument, "type" | "number">): string {
  const title = TITLES[doc.type];
  return doc.number ? `${title} ${doc.number}` : `${title} (brouillon)`;
}

// The legal defaults a business payer's invoice must carry when the caller gave none
// (Code de commerce L441-10 and D441-5).
const DEFAULT_LATE_PENALTY =
  "En cas de retard de paiement, des pénalités sont exigibles au taux de trois fois le taux d'intérêt légal, sans qu'un rappel soit nécessaire.";
const DEFAULT_RECOVERY_INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 € (Code de commerce, art. D441-5).";

function serviceDateRow(doc: InvoiceDocument): [string, string] {
  if (doc.service_period) {
    const label = doc.operation_category === "goods" ? "Période de livraison" : "Période de la prestation";
    return [label, `du ${formatDate(doc.service_period.start)} au ${formatDate(doc.service_period.end)}`];
  }
  const label = doc.operation_category === "goods" ? "Date de livraison" : doc.operation_category === "mixed" ? "Date de livraison / prestation" : "Date de la prestation";
  return [label, formatDate(doc.service_date ?? doc.issue_date)];
}

/**
 * Renders an invoice. With a number and the CII XML: a Factur-X 1.0 PDF/A-3b (EN 16931) with the
 * XML embedded as factur-x.xml. Without a number: the draft preview, marked as such, with nothing
 * embedded (a draft is not an invoice and must not be taken for one by software either).
 */
export async function renderInvoicePdf(doc: InvoiceDocument, xml: string | null, opts: RenderOptions): Promise<Uint8Array> {
  const isDraft = doc.number === null;
  const isCredit = doc.type === "credit_note";
  const title = TITLES[doc.type];
  const digest = await documentDigest(opts);
  const { doc: pdf, fonts } = await createDocument(digest);
  const th = theme(doc.seller.primary_color);
  const canvas = new Canvas(pdf, fonts, th);

  if (isDraft) draftBanner(canvas, DRAFT_MARKING);

  // Header: seller, title, number.
  const subtitle = isDraft
    ? [{ text: "Sans numéro : attribué à l'émission", bold: true }, { text: `Préparé le ${formatDate(doc.issue_date)}` }]
    : [{ text: `N° ${doc.number}`, bold: true }, { text: `Date d'émission : ${formatDate(doc.issue_date)}` }];
  documentHeader(canvas, doc.seller, sellerLines(doc.seller, doc.vat_exemption), title, subtitle);

  // Details (left) and the buyer (right).
  const rows: [string, string][] = [];
  if (!isCredit && doc.due_date) rows.push(["Date d'échéance", formatDate(doc.due_date)]);
  rows.push(serviceDateRow(doc));
  rows.push(["Nature de l'opération", operationCategoryLabel(doc.operation_category)]);
  if (isCredit && doc.credited_invoice) rows.push(["Facture d'origine", `${doc.credited_invoice.number} du ${formatDate(doc.credited_invoice.issue_date)}`]);
  if (isCredit && doc.credit_reason) rows.push(["Motif de l'avoir", doc.credit_reason]);
  if (doc.quote_number) rows.push(["Devis accepté", doc.quote_number]);
  const top = canvas.y;
  const buyerWidth = 232;
  const detailsHeight = labelValues(canvas, canvas.left, top, CONTENT_WIDTH - buyerWidth - 24, rows);
  const buyerHeight = partyBox(canvas, canvas.right - buyerWidth, top, buyerWidth, isCredit ? "Avoir au bénéfice de" : "Facturé à", doc.buyer);
  canvas.y = top - Math.max(detailsHeight, buyerHeight) - GAP - 4;

  // Lines.
  const reminder = continuationHeader(isDraft ? `${title} — ${DRAFT_MARKING}` : `${title} ${doc.number} du ${formatDate(doc.issue_date)}`);
  linesTable(canvas, doc.lines, reminder);

  // VAT breakdown and totals.
  const totalRows: TotalRow[] = [
    { label: "Total HT", amount: doc.totals.total_excl_tax },
    { label: "Total TVA", amount: doc.totals.total_tax },
    { label: "Total TTC", amount: doc.totals.total_incl_tax, bold: true },
  ];
  for (const d of doc.deducted_deposits ?? []) {
    totalRows.push({ label: `Acompte ${d.number} du ${formatDate(d.issue_date)}`, amount: -(d.amount ?? 0) });
  }
  if (doc.amount_paid) totalRows.push({ label: "Déjà réglé", amount: -doc.amount_paid });
  vatAndTotals(canvas, doc.tax_breakdown, totalRows, isCredit ? { label: "Montant de l'avoir", amount: doc.totals.total_incl_tax } : { label: "Net à payer", amount: doc.amount_due });

  // Deposits deducted, cited in full (the table's labels may be cut short).
  const cited: string[] = [];
  if (doc.deducted_deposits?.length) {
    cited.push(
      `Factures d'acompte déduites : ${doc.deducted_deposits.map((d) => `${d.number} du ${formatDate(d.issue_date)}${d.amount != null ? ` (${formatMoney(d.amount)} TTC)` : ""}`).join(" ; ")}.`,
    );
  }
  if (isCredit && doc.credited_invoice) {
    cited.push(
      `Le présent avoir annule ou réduit la facture ${doc.credited_invoice.number} du ${formatDate(doc.credited_invoice.issue_date)}${doc.credited_invoice.amount != null ? ` (${formatMoney(doc.credited_invoice.amount)} TTC)` : ""}, à hauteur de ${formatMoney(doc.totals.total_excl_tax)} HT et ${formatMoney(doc.totals.total_tax)} de TVA.`,
    );
  }
  if (cited.length) smallPrint(canvas, "Documents cités", cited);

  // How to pay.
  if (!isCredit && (doc.payee || doc.payment_url || doc.due_date || doc.payment_terms)) paymentBox(canvas, doc);

  // Legal mentions.
  const mentions: string[] = [];
  if (doc.vat_on_debits) mentions.push("Option pour le paiement de la taxe d'après les débits.");
  if (doc.vat_exemption && doc.seller.vat_number) mentions.push(doc.vat_exemption);
  if (!isCredit) {
    if (doc.early_payment_discount) mentions.push(doc.early_payment_discount);
    if (doc.buyer.is_business) {
      mentions.push(doc.late_payment_penalty ?? DEFAULT_LATE_PENALTY);
      mentions.push(doc.recovery_indemnity ?? DEFAULT_RECOVERY_INDEMNITY);
    } else {
      if (doc.late_payment_penalty) mentions.push(doc.late_payment_penalty);
    }
  }
  if (!isDraft && xml) mentions.push("Facture électronique au format Factur-X (profil EN 16931) : les données structurées sont jointes à ce PDF dans le fichier factur-x.xml.");
  smallPrint(canvas, "Mentions", mentions);
  if (doc.notes?.length) smallPrint(canvas, "Notes", doc.notes);

  const sellerFooter = [doc.seller.name, doc.seller.public_entity_unit, `SIRET ${formatSiret(doc.seller.siret)}`, doc.seller.vat_number ? `TVA ${doc.seller.vat_number}` : null]
    .filter(Boolean)
    .join(" — ");
  footers(canvas, sellerFooter, isDraft ? DRAFT_MARKING : `${title} ${doc.number}`);
  if (isDraft) draftWatermarks(canvas);

  const pdfTitle = isDraft ? `${title} — ${DRAFT_MARKING}` : `${title} ${doc.number}`;
  return finishDocument(
    pdf,
    digest,
    opts,
    { title: pdfTitle, author: doc.seller.name, subject: `${pdfTitle} — ${doc.buyer.name} — ${formatMoney(doc.totals.total_incl_tax)} TTC` },
    !isDraft && xml ? { xml } : null,
  );
}

/** "Règlement": due date and terms, the payee account in full, and the payment link with its QR code. */
function paymentBox(canvas: Canvas, doc: InvoiceDocument): void {
  const pad = 11;
  const withQr = !!doc.payment_url && doc.payment_url.length <= QR_MAX_LENGTH;
  const qrSize = withQr ? 82 : 0;
  const textWidth = CONTENT_WIDTH - 2 * pad - (qrSize ? qrSize + 28 : 0);
  const rows: { label: string; value: string; strong?: boolean }[] = [];
  if (doc.due_date) rows.push({ label: "Échéance", value: formatDate(doc.due_date), strong: true });
  if (doc.payment_terms) rows.push({ label: "Conditions", value: doc.payment_terms });
  if (doc.payee) {
    rows.push({ label: "Virement SEPA", value: "" });
    rows.push({ label: "IBAN", value: formatIban(doc.payee.iban), strong: true });
    if (doc.payee.bic) rows.push({ label: "BIC", value: doc.payee.bic.toUpperCase() });
    if (doc.payee.account_name) rows.push({ label: "Titulaire", value: doc.payee.account_name });
    if (doc.number) rows.push({ label: "Référence", value: doc.number });
  }
  if (doc.payment_url && !withQr) rows.push({ label: "Payer en ligne", value: doc.payment_url });
  const labelWidth = 78;
  const laid = rows.map((r) => ({ ...r, lines: r.value ? canvas.wrap(r.value, textWidth - labelWidth, { size: 9, bold: r.strong ?? false }) : [""] }));
  const textHeight = 20 + laid.reduce((h, r) => h + r.lines.length * 12, 0);
  const urlLines = withQr && doc.payment_url ? canvas.wrap(doc.payment_url, qrSize + 20, { size: 6.5 }) : [];
  const qrHeight = qrSize ? 16 + qrSize + 6 + urlLines.length * 8 : 0;
  const height = Math.max(textHeight, qrHeight) + 2 * pad - 4;
  canvas.ensure(height + 4);
  const top = canvas.y;
  canvas.rect(canvas.left, top - height, CONTENT_WIDTH, height, { fill: canvas.theme.tint });
  canvas.text("Règlement", canvas.left + pad, top - pad - 10, { size: 10.5, bold: true, color: canvas.theme.accent });
  let y = top - pad - 20;
  for (const r of laid) {
    canvas.text(r.label, canvas.left + pad, y - 9, { size: 8.5, color: canvas.theme.muted, bold: r.value === "" });
    r.lines.forEach((l, i) => canvas.text(l, canvas.left + pad + labelWidth, y - 9 - i * 12, { size: 9, bold: r.strong ?? false }));
    y -= r.lines.length * 12;
  }
  if (withQr && doc.payment_url) {
    const qx = canvas.right - pad - qrSize - 10;
    canvas.text("Payer en ligne", qx + qrSize / 2, top - pad - 9, { size: 8.5, bold: true, align: "center", color: canvas.theme.accent });
    const qrTop = top - pad - 16;
    // White behind the code: scanners need the light quiet zone around it, not the tinted box.
    canvas.rect(qx - 5, qrTop - qrSize - 5, qrSize + 10, qrSize + 10, { fill: canvas.theme.white });
    drawQrCode(canvas, doc.payment_url, qx, qrTop, qrSize);
    let uy = qrTop - qrSize - 8;
    for (const l of urlLines) {
      canvas.text(l, qx + qrSize / 2, uy - 6.5, { size: 6.5, align: "center", color: canvas.theme.muted });
      uy -= 8;
    }
    linkAnnotation(canvas, doc.payment_url, { x: qx - 10, y: uy, width: qrSize + 20, height: qrTop - uy });
  }
  canvas.y = top - height - GAP;
}
