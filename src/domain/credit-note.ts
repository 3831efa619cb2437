import { ID_PREFIX } from "../lib/ids";
import { lineWithUnit } from "./units";
import { isVatRate, vatOn, VAT_RATES, type TaxBreakdownEntry, type VatRate } from "./vat";

/**
 * Credit notes ("avoirs", AV- series): `cancellation` credits a whole invoice (a cancel), and
 * `price_reduction` a part of it (a refund that lowers the price: CGI 272-1 and 289-I-5 want the
 * VAT collected corrected by a document that cites the invoice).
 */
export const CREDIT_NOTE_TYPES = ["cancellation", "price_reduction"] as const;
export type CreditNoteType = (typeof CREDIT_NOTE_TYPES)[number];

/** A price reduction's line: one per VAT rate of the invoice, quantity 1 of the credited base. */
export interface CreditedLine {
  description: string;
  quantity: 1;
  unit: "C62";
  unit_price: number;
  vat_rate: VatRate;
  net_amount: number;
}

export interface CreditedAmounts {
  line_items: CreditedLine[];
  subtotal_amount: number;
  tax_amount: number;
  total_amount: number;
  tax_breakdown: TaxBreakdownEntry[];
}

/**
 * The credit note a price-reduction refund makes: its id is the refund's own uuid under the
 * credit-note prefix, so the projection that creates it can be replayed (it inserts only what is
 * not there) and the refund names it before it exists.
 */
export function creditNoteIdOfRefund(refundId: string): string {
  return `${ID_PREFIX.credit_note}-${refundId.slice(ID_PREFIX.refund.length + 1)}`;
}

/** The base b with b + VAT(b) = part exactly (VAT per vat.ts: half-up), or null when the rounding skips that total. */
export function baseOfPart(part: number, rate: VatRate): number | null {
  const bp = BigInt(VAT_RATES[rate]);
  // f(b) = b + round(b × rate) climbs by 1 or 2 per cent (rates ≤ 100 %), so b sits next to part / (1 + rate).
  const guess = Number((BigInt(part) * 10_000n) / (10_000n + bp));
  for (let b = Math.max(0, guess - 1); b <= guess + 2; b++) if (b + vatOn(b, rate) === part) return b;
  return null;
}

/**
 * `amount` (TTC, cents) split over the rates of `breakdown` in proportion to each rate's TTC
 * (largest remainder, so the parts sum to `amount`; ties go to the larger share, then the lower
 * rate). Each part is then cut into a base and its VAT computed as on an invoice (VAT = round(base
 * × rate), EN 16931 BR-CO-17), so the credit note's lines, breakdown and totals are consistent.
 */
export function proportionalParts(amount: number, breakdown: readonly { vat_rate: number; taxable_amount: number; tax_amount: number }[]): { rate: VatRate; share: number; part: number }[] {
  const rates = breakdown
    .map((b) => {
      if (!isVatRate(b.vat_rate)) throw new RangeError(`Not a VAT rate: ${b.vat_rate}`);
      return { rate: b.vat_rate, share: b.taxable_amount + b.tax_amount };
    })
    .filter((r) => r.share > 0)
    .sort((a, b) => a.rate - b.rate);
  const whole = rates.reduce((s, r) => s + r.share, 0);
  if (whole <= 0) throw new RangeError("The invoice has no amount to credit");
  const R = BigInt(amount);
  const W = BigInt(whole);
  const parts = rates.map((r, index) => {
    const exact = R * BigInt(r.share);
    return { ...r, index, part: Number(exact / W), remainder: exact % W };
  });
  let left = amount - parts.reduce((s, p) => s + p.part, 0);
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? b.share - a.share || a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const p of byRemainder) {
    if (left === 0) break;
    p.part += 1;
    left -= 1;
  }
  return parts.map(({ rate, share, part }) => ({ rate, share, part }));
}

/**
 * The lines and totals of the credit note for a price reduction of `amount` cents (TTC) on an
 * invoice with this VAT breakdown. A part whose total no base reaches (the VAT rounding skips
 * it: at 20 %, bases 2 and 3 give totals 2 and 4, never 3) gives one cent to, or takes one from,
 * another rate whose total then works — pairing two such parts first, since each fixes the
 * other. With a single rate there is nowhere to move it: that part keeps the lower base and its
 * VAT is the rest (one cent above round(base × rate)), well inside the 1.00 tolerance of the
 * official EN 16931 rule BR-CO-17 — the amount refunded is what the credit note must total.
 */
export function splitPriceReduction(
  amount: number,
  breakdown: readonly { vat_rate: number; taxable_amount: number; tax_amount: number }[],
  reason: string | null,
): CreditedAmounts {
  if (!Number.isInteger(amount) || amount <= 0) throw new RangeError(`Not an amount to credit: ${amount}`);
  const parts = proportionalParts(amount, breakdown);
  const works = (p: { part: number; rate: VatRate }, delta: number) => p.part + delta >= 0 && baseOfPart(p.part + delta, p.rate) !== null;
  const move = (from: { part: number }, to: { part: number }) => {
    from.part -= 1;
    to.part += 1;
  };
  for (;;) {
    const stuck = parts.filter((p) => p.part > 0 && baseOfPart(p.part, p.rate) === null);
    const [first, second] = stuck;
    if (!first) break;
    if (second) {
      move(first, second);
      continue;
    }
    // Another rate that takes a cent from this one, or gives it one, the larger share first.
    const others = parts.filter((p) => p !== first).sort((a, b) => b.share - a.share);
    const taker = others.find((p) => works(p, +1) && works(first, -1));
    const giver = taker ? undefined : others.find((p) => p.part > 0 && works(p, -1) && works(first, +1));
    if (taker) move(first, taker);
    else if (giver) move(giver, first);
    else break;
  }
  const description = reason ? `Réduction de prix — ${reason}` : "Réduction de prix";
  const lines = parts
    .filter((p) => p.part > 0)
    .map((p) => {
      // Exact when a base reaches the part; otherwise (single rate, see above) the lower base.
      let base = baseOfPart(p.part, p.rate);
      if (base === null) {
        base = Number((BigInt(p.part) * 10_000n) / (10_000n + BigInt(VAT_RATES[p.rate])));
        while (base + vatOn(base, p.rate) > p.part) base -= 1;
      }
      return { rate: p.rate, base, tax: p.part - base };
    });
  return {
    line_items: lines.map((l) => ({ description, quantity: 1, unit: "C62", unit_price: l.base, vat_rate: l.rate, net_amount: l.base })),
    subtotal_amount: lines.reduce((s, l) => s + l.base, 0),
    tax_amount: lines.reduce((s, l) => s + l.tax, 0),
    total_amount: amount,
    tax_breakdown: lines.map((l) => ({ vat_rate: l.rate, taxable_amount: l.base, tax_amount: l.tax })),
  };
}

/** A credit note as stored (its lines resolved: a cancellation's are its invoice's). */
export interface CreditNoteView {
  id: string;
  livemode: boolean;
  organization_id: string;
  invoice_id: string;
  invoice_number: string;
  invoice_issue_date: string;
  credit_note_number: string;
  type: CreditNoteType;
  refund_id: string | null;
  reason: string | null;
  currency: string;
  line_items: readonly { description: string; quantity: number; unit?: string | undefined; unit_price: number; vat_rate: number; net_amount: number }[];
  subtotal_amount: number;
  tax_amount: number;
  total_amount: number;
  tax_breakdown: readonly { vat_rate: number; taxable_amount: number; tax_amount: number }[];
  mentions: Record<string, unknown>;
  document_sha256: string | null;
  xml_sha256: string | null;
  document_generated_at: string | null;
  issued_at: string;
  created_at: string;
  /** 1 at creation, +1 when its documents are archived (their SHA-256 appear): an event's object_version. */
  version: number;
}

/**
 * The credit note as the API and its events show it. `document`: where its Factur-X PDF and CII
 * XML are (paths on this API, as an invoice's document) and the SHA-256 of the archived files,
 * null until they are generated (the first download or the minute cron archives them once).
 */
export function presentCreditNote(n: CreditNoteView) {
  return {
    id: n.id,
    object: "credit_note" as const,
    livemode: n.livemode,
    version: n.version,
    organization_id: n.organization_id,
    invoice_id: n.invoice_id,
    invoice_number: n.invoice_number,
    invoice_issue_date: n.invoice_issue_date,
    credit_note_number: n.credit_note_number,
    type: n.type,
    refund_id: n.refund_id,
    reason: n.reason,
    currency: n.currency,
    line_items: n.line_items.map(lineWithUnit),
    subtotal_amount: n.subtotal_amount,
    tax_amount: n.tax_amount,
    total_amount: n.total_amount,
    tax_breakdown: n.tax_breakdown,
    mentions: n.mentions,
    document: {
      pdf_url: `/v1/credit_notes/${n.id}/pdf`,
      xml_url: `/v1/credit_notes/${n.id}/xml`,
      sha256: n.document_sha256,
      xml_sha256: n.xml_sha256,
      generated_at: n.document_generated_at,
    },
    issued_at: n.issued_at,
    created_at: n.created_at,
  };
}

/** The mention a price reduction's credit note carries: which invoice it reduces (number and date, BT-25/BT-26). */
export function reductionMention(invoiceNumber: string, invoiceIssueDate: string): string {
  return `Avoir partiel (réduction de prix) sur la facture n° ${invoiceNumber} du ${invoiceIssueDate.split("-").reverse().join("/")}`;
}

/**
 * What a cancellation still credits of an invoice that price reductions already credited in
 * part: per VAT rate, the invoice's base and VAT less theirs, one line each ("Annulation du solde
 * …"), so that the invoice's credit notes together credit exactly its total. Null when nothing
 * was credited before: the cancellation then credits the invoice's own lines.
 */
export function remainderToCancel(
  invoice: { tax_breakdown: readonly { vat_rate: number; taxable_amount: number; tax_amount: number }[] },
  reductions: readonly { tax_breakdown: readonly { vat_rate: number; taxable_amount: number; tax_amount: number }[] }[],
  description: string,
): CreditedAmounts | null {
  if (reductions.length === 0) return null;
  const left = invoice.tax_breakdown.map((entry) => {
    if (!isVatRate(entry.vat_rate)) throw new RangeError(`Not a VAT rate: ${entry.vat_rate}`);
    const credited = reductions.flatMap((r) => r.tax_breakdown).filter((b) => b.vat_rate === entry.vat_rate);
    return {
      vat_rate: entry.vat_rate,
      taxable_amount: entry.taxable_amount - credited.reduce((s, b) => s + b.taxable_amount, 0),
      tax_amount: entry.tax_amount - credited.reduce((s, b) => s + b.tax_amount, 0),
    };
  });
  const tax_breakdown = left.filter((b) => b.taxable_amount !== 0 || b.tax_amount !== 0);
  const subtotal_amount = tax_breakdown.reduce((s, b) => s + b.taxable_amount, 0);
  const tax_amount = tax_breakdown.reduce((s, b) => s + b.tax_amount, 0);
  return {
    line_items: tax_breakdown.map((b) => ({ description, quantity: 1, unit: "C62", unit_price: b.taxable_amount, vat_rate: b.vat_rate, net_amount: b.taxable_amount })),
    subtotal_amount,
    tax_amount,
    total_amount: subtotal_amount + tax_amount,
    tax_breakdown,
  };
}
