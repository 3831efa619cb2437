/**
 * Money and VAT for invoices: the one place where amounts are computed and rounded.
 * Amounts are integer cents; quantities have at most 3 decimals; VAT rates are those in force
 * in mainland France. Arithmetic is exact (BigInt), rounding is half-up, and VAT is computed
 * once per rate on the sum of that rate's line nets (EN 16931 BR-CO-17, French "TVA par taux").
 */

/** Allowed rates, in percent, with their value in basis points. */
export const VAT_RATES = { 0: 0, 2.1: 210, 5.5: 550, 10: 1000, 20: 2000 } as const;
export type VatRate = keyof typeof VAT_RATES;
export const VAT_RATE_VALUES = Object.keys(VAT_RATES).map(Number) as VatRate[];

export function isVatRate(rate: number): rate is VatRate {
  return Object.hasOwn(VAT_RATES, String(rate));
}

/** Largest total an invoice may carry: keeps every amount an exact JS number (and is 10 billion euros). */
export const MAX_TOTAL_CENTS = 1_000_000_000_000;
export const MAX_QUANTITY = 1_000_000;
export const MAX_UNIT_PRICE_CENTS = 10_000_000_000;

/** Quantity in thousandths, or null when it has more than 3 decimals. */
export function quantityToMilli(quantity: number): number | null {
  const milli = Math.round(quantity * 1000);
  return Math.abs(quantity * 1000 - milli) < 1e-6 ? milli : null;
}

/** round(numerator / denominator), half away from zero, for non-negative integers. */
function divHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

export interface LineInput {
  description: string;
  quantity: number;
  /** UN/ECE Rec. 20 unit code (domain/units.ts); carried through unchanged, it plays no part in the amounts. */
  unit?: string;
  unit_price: number;
  vat_rate: VatRate;
}

export interface ComputedLine extends LineInput {
  /** quantity × unit_price, rounded half-up to the cent (EN 16931 BT-131). */
  net_amount: number;
}

export interface TaxBreakdownEntry {
  vat_rate: VatRate;
  taxable_amount: number;
  tax_amount: number;
}

export interface InvoiceAmounts {
  line_items: ComputedLine[];
  subtotal_amount: number;
  tax_amount: number;
  total_amount: number;
  tax_breakdown: TaxBreakdownEntry[];
}

export function lineNet(quantity: number, unitPrice: number): number {
  const milli = quantityToMilli(quantity);
  if (milli === null) throw new RangeError("quantity has more than 3 decimals");
  return Number(divHalfUp(BigInt(milli) * BigInt(unitPrice), 1000n));
}

export function vatOn(taxable: number, rate: VatRate): number {
  return Number(divHalfUp(BigInt(taxable) * BigInt(VAT_RATES[rate]), 10_000n));
}

/** Line nets, then VAT per rate on the sum of nets at that rate; breakdown ordered by rate. */
export function computeInvoiceAmounts(lines: readonly LineInput[]): InvoiceAmounts {
  // Quantities are kept as the 3-decimal value they were read as (0.1 + 0.2 is stored 0.3).
  const computed = lines.map((l) => ({ ...l, quantity: quantityToMilli(l.quantity)! / 1000, net_amount: lineNet(l.quantity, l.unit_price) }));
  const byRate = new Map<VatRate, number>();
  for (const l of computed) byRate.set(l.vat_rate, (byRate.get(l.vat_rate) ?? 0) + l.net_amount);
  const tax_breakdown = [...byRate.entries()]
    .sort(([a], [b]) => a - b)
    .map(([vat_rate, taxable_amount]) => ({ vat_rate, taxable_amount, tax_amount: vatOn(taxable_amount, vat_rate) }));
  const subtotal_amount = computed.reduce((s, l) => s + l.net_amount, 0);
  const tax_amount = tax_breakdown.reduce((s, t) => s + t.tax_amount, 0);
  return { line_items: computed, subtotal_amount, tax_amount, total_amount: subtotal_amount + tax_amount, tax_breakdown };
}
