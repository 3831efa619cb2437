/**
 * Invoice, credit-note and quote numbers: `FAC-2026-00001`, `AV-2026-00001`, `DEV-2026-00001`. One continuous series per
 * organization, document type and calendar year (Paris), assigned at issue from a gap-free
 * counter (CGI ann. II art. 242 nonies A). The SQL that assigns numbers builds them from these
 * same constants (services/invoices/numbering.ts).
 */
export const SERIES = {
  invoice: { prefix: "FAC", width: 5 },
  credit_note: { prefix: "AV", width: 5 },
  quote: { prefix: "DEV", width: 5 },
} as const;

export type Series = keyof typeof SERIES;

export function formatNumber(series: Series, year: number, sequence: number): string {
  const { prefix, width } = SERIES[series];
  return `${prefix}-${year}-${String(sequence).padStart(width, "0")}`;
}
