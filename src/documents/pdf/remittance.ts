// The remittance statement ("bordereau de versement", issue 14): a régie's month of collections,
// per day and method, then every payment and refund, the totals, and the block the régisseur signs
// before sending it to the comptable public. A plain PDF/A-3b, in French, deterministic.
import type { RemittanceDocument, RenderOptions } from "../model";
import { continuationHeader, documentHeader, footers, GAP, smallPrint } from "./blocks";
import { Canvas } from "./canvas";
import { createDocument, documentDigest, finishDocument } from "./archive";
import { addressLines, formatDate, formatLongDate, formatMoney, formatSiret, paymentMethodLabel } from "./format";
import { CONTENT_WIDTH, theme } from "./theme";

type Column = { header: string; width: number; align?: "left" | "right" };

/** A table whose header repeats after a page break; `empty` is printed when there are no rows. */
function table(canvas: Canvas, title: string, columns: readonly Column[], rows: readonly string[][], empty: string, totals?: string[]): void {
  const scale = CONTENT_WIDTH / columns.reduce((s, c) => s + c.width, 0);
  const widths = columns.map((c) => c.width * scale);
  const pad = 4;
  const header = (c: Canvas) => {
    const h = 17;
    const top = c.y;
    c.rect(c.left, top - h, CONTENT_WIDTH, h, { fill: c.theme.accent });
    let x = c.left;
    columns.forEach((col, i) => {
      const w = widths[i]!;
      c.text(col.header, col.align === "right" ? x + w - pad : x + pad, top - 11.5, { size: 7.5, bold: true, color: c.theme.white, align: col.align ?? "left" });
      x += w;
    });
    c.y = top - h;
  };
  canvas.ensure(14 + 17 + 16);
  canvas.text(title, canvas.left, canvas.y - 10, { size: 10.5, bold: true, color: canvas.theme.accent });
  canvas.y -= 16;
  if (rows.length === 0) {
    canvas.text(empty, canvas.left, canvas.y - 9, { size: 8.5, color: canvas.theme.muted });
    canvas.y -= 14 + GAP / 2;
    return;
  }
  header(canvas);
  const previous = canvas.onPageBreak;
  canvas.onPageBreak = (c) => {
    previous?.(c);
    header(c);
  };
  const drawRow = (cells: readonly string[], index: number, bold: boolean) => {
    const wrapped = cells.map((cell, i) => canvas.wrap(cell, widths[i]! - 2 * pad, { size: 8, bold }));
    const rowH = Math.max(...wrapped.map((w) => Math.max(1, w.length))) * 10 + 6;
    canvas.ensure(rowH);
    const top = canvas.y;
    if (bold) canvas.rect(canvas.left, top - rowH, CONTENT_WIDTH, rowH, { fill: canvas.theme.tint });
    else if (index % 2 === 1) canvas.rect(canvas.left, top - rowH, CONTENT_WIDTH, rowH, { fill: canvas.theme.zebra });
    let x = canvas.left;
    columns.forEach((col, i) => {
      const w = widths[i]!;
      wrapped[i]!.forEach((l, j) => canvas.text(l, col.align === "right" ? x + w - pad : x + pad, top - 3 - 8 - j * 10, { size: 8, bold, align: col.align ?? "left" }));
      x += w;
    });
    canvas.y = top - rowH;
    canvas.rule(canvas.left, canvas.y, canvas.right, canvas.y, canvas.theme.rule, 0.4);
  };
  rows.forEach((r, i) => drawRow(r, i, false));
  if (totals) drawRow(totals, 0, true);
  canvas.onPageBreak = previous;
  canvas.y -= GAP;
}

export async function renderRemittancePdf(doc: RemittanceDocument, opts: RenderOptions): Promise<Uint8Array> {
  const digest = await documentDigest(opts);
  const { doc: pdf, fonts } = await createDocument(digest);
  const canvas = new Canvas(pdf, fonts, theme(doc.organization.primary_color));
  const money = (cents: number) => formatMoney(cents, doc.currency);
  const periodText = `du ${formatLongDate(doc.period.from)} au ${formatLongDate(doc.period.to)}`;
  const seller = { name: doc.organization.name, siret: doc.organization.siret, siren: doc.organization.siret.slice(0, 9), vat_number: null, address: doc.organization.address, primary_color: doc.organization.primary_color ?? null };
  const identity = [
    { text: `Régie : ${doc.department.name} (code ${doc.department.code})`, bold: true },
    ...addressLines(doc.organization.address).map((text) => ({ text })),
    { text: `SIRET ${formatSiret(doc.organization.siret)}` },
    { text: doc.bank_account ? `Compte de dépôt : ${doc.bank_account.iban_masked}${doc.bank_account.bank_name ? ` (${doc.bank_account.bank_name})` : ""}` : "Compte de dépôt : aucun compte par défaut" },
  ];
  documentHeader(canvas, seller, identity, "Bordereau de versement", [
    { text: `Période ${doc.period.month}`, bold: true },
    { text: `Opérations ${periodText}` },
    { text: `Montants en ${doc.currency}, dates à l'heure de Paris` },
  ]);
  canvas.onPageBreak = continuationHeader(`Bordereau de versement — ${doc.department.name} — ${doc.period.month}`);
  const afterContinuation = canvas.onPageBreak;
  canvas.onPageBreak = (c) => {
    afterContinuation(c);
    c.y -= 18;
  };

  // The three figures the comptable checks first.
  const top = canvas.y;
  const h = 56;
  const third = CONTENT_WIDTH / 3;
  canvas.rect(canvas.left, top - h, CONTENT_WIDTH, h, { fill: canvas.theme.tint });
  canvas.rect(canvas.left, top - h, 4, h, { fill: canvas.theme.accent });
  const figures: [string, number][] = [
    ["TOTAL ENCAISSÉ", doc.totals.collected],
    ["TOTAL REMBOURSÉ", doc.totals.refunded],
    ["NET À VERSER", doc.totals.net],
  ];
  figures.forEach(([label, amount], i) => {
    const x = canvas.left + 16 + i * third;
    canvas.text(label, x, top - 18, { size: 8, bold: true, color: canvas.theme.muted });
    canvas.text(money(amount), x, top - 41, { size: i === 2 ? 17 : 15, bold: true, color: i === 2 ? canvas.theme.accent : canvas.theme.ink });
  });
  canvas.y = top - h - GAP - 4;

  table(
    canvas,
    "Récapitulatif par moyen de paiement",
    [
      { header: "Moyen de paiement", width: 150 },
      { header: "Nb enc.", width: 50, align: "right" },
      { header: "Encaissé", width: 90, align: "right" },
      { header: "Nb remb.", width: 55, align: "right" },
      { header: "Remboursé", width: 90, align: "right" },
      { header: "Net", width: 90, align: "right" },
    ],
    doc.totals.by_method.map((m) => [paymentMethodLabel(m.method), String(m.collected_count), money(m.collected), String(m.refunded_count), money(m.refunded), money(m.net)]),
    "Aucune opération sur la période.",
    doc.totals.by_method.length > 0
      ? [
          "Total",
          String(doc.totals.by_method.reduce((s, m) => s + m.collected_count, 0)),
          money(doc.totals.collected),
          String(doc.totals.by_method.reduce((s, m) => s + m.refunded_count, 0)),
          money(doc.totals.refunded),
          money(doc.totals.net),
        ]
      : undefined,
  );

  table(
    canvas,
    "Opérations par jour et par moyen de paiement",
    [
      { header: "Date", width: 70 },
      { header: "Moyen de paiement", width: 140 },
      { header: "Nb enc.", width: 50, align: "right" },
      { header: "Encaissé", width: 90, align: "right" },
      { header: "Nb remb.", width: 55, align: "right" },
      { header: "Remboursé", width: 90, align: "right" },
    ],
    doc.days.map((d) => [formatDate(d.date), paymentMethodLabel(d.method), String(d.collected_count), money(d.collected), String(d.refunded_count), money(d.refunded)]),
    "Aucune opération sur la période.",
  );

  const paymentColumns: Column[] = [
    { header: "Date", width: 62 },
    { header: "N° de reçu", width: 120 },
    { header: "Facture", width: 100 },
    { header: "Payeur", width: 50 },
    { header: "Moyen", width: 78 },
    { header: "Référence", width: 86 },
    { header: "Montant", width: 74, align: "right" },
  ];
  const paymentRow = (p: RemittanceDocument["payments"][number]) => [formatDate(p.date), p.receipt_number, p.invoice_number ?? "—", p.payer_initials, paymentMethodLabel(p.method), p.reference ?? "", money(p.amount)];
  table(canvas, "Détail des paiements encaissés", paymentColumns, doc.payments.map(paymentRow), "Aucun paiement encaissé sur la période.", doc.payments.length > 0 ? ["Total", "", "", "", "", "", money(doc.totals.collected)] : undefined);

  table(
    canvas,
    "Détail des remboursements",
    [
      { header: "Date", width: 70 },
      { header: "Reçu du paiement remboursé", width: 200 },
      { header: "Moyen", width: 120 },
      { header: "Montant", width: 90, align: "right" },
    ],
    doc.refunds.map((r) => [formatDate(r.date), r.receipt_number, paymentMethodLabel(r.method), money(r.amount)]),
    "Aucun remboursement sur la période.",
    doc.refunds.length > 0 ? ["Total", "", "", money(doc.totals.refunded)] : undefined,
  );

  if (doc.voided_payments.length > 0) {
    table(canvas, "Paiements annulés (non comptés)", paymentColumns, doc.voided_payments.map((p) => [...paymentRow(p).slice(0, 6), `annulé ${money(p.amount)}`]), "");
  }

  // The signature block: filled in by hand, so the document's bytes do not depend on the day it is printed.
  const boxH = 96;
  canvas.ensure(boxH + 24 + 60);
  canvas.text(`Certifié exact le présent bordereau, arrêté à la somme nette de ${money(doc.totals.net)}.`, canvas.left, canvas.y - 10, { size: 9.5, bold: true });
  canvas.y -= 24;
  const half = (CONTENT_WIDTH - 16) / 2;
  const boxTop = canvas.y;
  const box = (x: number, heading: string, lines: string[]) => {
    canvas.rect(x, boxTop - boxH, half, boxH, { stroke: canvas.theme.rule, lineWidth: 0.8 });
    canvas.text(heading, x + 8, boxTop - 14, { size: 9.5, bold: true, color: canvas.theme.accent });
    lines.forEach((l, i) => canvas.text(l, x + 8, boxTop - 32 - i * 16, { size: 8.5, color: canvas.theme.muted }));
  };
  box(canvas.left, "Le régisseur", ["Nom : ....................................................", "Date : ......... / ......... / ...............", "Signature :"]);
  box(canvas.left + half + 16, "Visa du comptable public", ["Reçu le : ......... / ......... / ...............", "Observations :", "Signature :"]);
  canvas.y = boxTop - boxH - GAP;

  smallPrint(canvas, "Mentions", [
    "Encaissé : paiements reçus sur la période (date de réception, heure de Paris), en ligne ou au guichet. Remboursé : remboursements effectués sur la période. Les paiements annulés sont listés à part et ne sont pas comptés.",
    "Les payeurs sont désignés par leurs initiales ; le numéro de reçu renvoie au reçu remis au payeur.",
  ]);

  footers(canvas, `${doc.organization.name} — ${doc.department.name} — SIRET ${formatSiret(doc.organization.siret)}`, `Bordereau ${doc.department.code} ${doc.period.month}`);
  const title = `Bordereau de versement ${doc.department.name} ${doc.period.month}`;
  return finishDocument(pdf, digest, opts, { title, author: doc.organization.name, subject: `${title} — net ${money(doc.totals.net)}` }, null);
}
