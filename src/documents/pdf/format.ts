// French formatting of what a document prints. Written out by hand rather than with
// Intl.NumberFormat: an archived PDF is hashed at issue and may be regenerated after a crash, so its
// bytes must not depend on the runtime's ICU data (which has changed separators before). The output
// is the one Intl.NumberFormat("fr-FR") gives today — test/documents/pdf.test.ts checks that it
// still is: U+202F (narrow no-break space) between thousands, U+00A0 before "€".

/** Narrow no-break space: French thousands separator and the space before ";:!?%". */
export const NNBSP = "\u202f";
/** No-break space: before the currency sign, inside « ». */
export const NBSP = "\u00a0";

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
}

/** The sign printed after the amount, French style ("12,50 $"); only the currencies payment requests accept. */
const CURRENCY_SIGNS: Record<string, string> = { EUR: "€", USD: "$", GBP: "£" };

/** 123456 → "1 234,56 €" (cents in, French money out); `currency` USD/GBP → "1 234,56 $" / "£". */
export function formatMoney(cents: number, currency = "EUR"): string {
  const symbol = CURRENCY_SIGNS[currency] ?? currency;
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount is not an integer of cents: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const euros = Math.trunc(abs / 100);
  const rest = String(abs % 100).padStart(2, "0");
  return `${sign}${groupThousands(String(euros))},${rest}${NBSP}${symbol}`;
}

/** 2.5 → "2,5"; 1250 → "1 250"; at most 4 decimals, trailing zeros dropped. */
export function formatQuantity(quantity: number): string {
  const sign = quantity < 0 ? "-" : "";
  const [int, dec] = Math.abs(quantity).toFixed(4).replace(/\.?0+$/, "").split(".");
  return `${sign}${groupThousands(int ?? "0")}${dec ? `,${dec}` : ""}`;
}

/** 5.5 → "5,5 %"; 20 → "20 %". */
export function formatRate(rate: number): string {
  return `${formatQuantity(rate)}${NNBSP}%`;
}

/** "2026-03-02" → "02/03/2026" (the numeric form French invoices use). */
export function formatDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
  return `${m[3]}/${m[2]}/${m[1]}`;
}

const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/** "2026-03-02" → "2 mars 2026" (1er for the first of the month, as French usage has it). */
export function formatLongDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
  const day = Number(m[3]);
  return `${day === 1 ? "1er" : day} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/**
 * An instant in Europe/Paris: "2 mars 2026 à 14:05". The offset comes from the runtime's time zone
 * data (the only Intl use here: summer time rules are facts, not formatting choices).
 */
export function formatParisDateTime(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${instant}`);
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${formatLongDate(`${get("year")}-${get("month")}-${get("day")}`)} à ${get("hour")}:${get("minute")}`;
}

/** "FR7630001007941234567890185" → "FR76 3000 1007 9412 3456 7890 185" (printed in full, as on any French invoice). */
export function formatIban(iban: string): string {
  return iban
    .replace(/\s+/g, "")
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, "$1 ");
}

/** "21920014200015" → "219 200 142 00015"; a SIREN → "219 200 142". Anything else as given. */
export function formatSiret(id: string): string {
  const digits = id.replace(/\s+/g, "");
  if (/^\d{14}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6, 9)} ${digits.slice(9)}`;
  if (/^\d{9}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
  return id;
}

/** A line's unit as printed: the French labels live with the unit codes, in the domain. */
export { unitLabelFr as unitLabel } from "../../domain/units";

const METHOD_LABELS = {
  sepa_credit: "Virement SEPA",
  card: "Carte bancaire",
  cash: "Espèces",
  cheque: "Chèque",
  bank_transfer: "Virement bancaire",
  other: "Autre moyen de paiement",
} as const;

export function paymentMethodLabel(method: keyof typeof METHOD_LABELS): string {
  return METHOD_LABELS[method] ?? METHOD_LABELS.other;
}

const OPERATION_LABELS = { goods: "Livraison de biens", services: "Prestation de services", mixed: "Mixte (livraison de biens et prestation de services)" } as const;

export function operationCategoryLabel(category: keyof typeof OPERATION_LABELS): string {
  return OPERATION_LABELS[category] ?? OPERATION_LABELS.services;
}

/** "Jean Dupont\n15 rue…" pieces of an address, in the French order. */
export function addressLines(address: { line1: string; line2?: string | null; postal_code: string; city: string; country?: string | null } | null | undefined): string[] {
  if (!address) return [];
  const lines = [address.line1];
  if (address.line2) lines.push(address.line2);
  lines.push(`${address.postal_code} ${address.city}`.trim());
  const country = (address.country ?? "FR").toUpperCase();
  if (country !== "FR") lines.push(COUNTRY_NAMES[country] ?? country);
  return lines.filter((l) => l.trim() !== "");
}

// Names of the countries a French invoice most often addresses; others print their ISO code.
const COUNTRY_NAMES: Record<string, string> = {
  BE: "Belgique",
  LU: "Luxembourg",
  CH: "Suisse",
  DE: "Allemagne",
  ES: "Espagne",
  IT: "Italie",
  MC: "Monaco",
  NL: "Pays-Bas",
  GB: "Royaume-Uni",
  PT: "Portugal",
  IE: "Irlande",
  AT: "Autriche",
  US: "États-Unis",
};
