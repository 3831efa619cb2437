/**
 * Units of measure of an invoice line (EN 16931 BT-130). Which codes are accepted is the official
 * rules' list, generated into unit-codes.ts by scripts/extract-unit-codes.mjs; how a French
 * document prints them is ours, here, read by both the API and the PDF engine (src/documents/pdf).
 */
import { UNIT_CODE_LIST } from "./unit-codes";

export const UNIT_CODES: ReadonlySet<string> = new Set(UNIT_CODE_LIST.split(" "));

/** A line without a unit counts pieces: C62 ("one", the unit EN 16931 uses for a plain count). */
export const DEFAULT_UNIT = "C62";

export function isUnitCode(code: string): boolean {
  return UNIT_CODES.has(code);
}

/** How a French invoice prints the common units; any other code is printed as the code itself. */
export const UNIT_LABELS_FR: Readonly<Record<string, string>> = {
  C62: "u",
  EA: "u",
  H87: "pièce",
  HUR: "h",
  MIN: "min",
  DAY: "jour",
  WEE: "semaine",
  MON: "mois",
  ANN: "an",
  KWH: "kWh",
  MWH: "MWh",
  MTQ: "m³",
  LTR: "l",
  KGM: "kg",
  TNE: "t",
  MTR: "m",
  KMT: "km",
  MTK: "m²",
  SET: "lot",
  LS: "forfait",
};

/** The label of a line's unit (C62 when it has none); a code is read trimmed and in capitals. */
export function unitLabelFr(code: string | null | undefined): string {
  const c = (code ?? DEFAULT_UNIT).trim().toUpperCase();
  return UNIT_LABELS_FR[c] ?? c;
}

/**
 * A stored line as the API shows it and a document prints it: every line has its unit (lines
 * stored before units existed count pieces).
 */
export function lineWithUnit(line: {
  description: string;
  quantity: number;
  unit?: string | null | undefined;
  unit_price: number;
  vat_rate: number;
  net_amount: number;
}) {
  return {
    description: line.description,
    quantity: line.quantity,
    unit: line.unit ?? DEFAULT_UNIT,
    unit_price: line.unit_price,
    vat_rate: line.vat_rate,
    net_amount: line.net_amount,
  };
}
