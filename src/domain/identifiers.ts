/**
 * Validation of French business and banking identifiers: SIREN, SIRET, intra-EU VAT number
 * (FR only), IBAN and BIC.
 *
 * Every check returns the normalized form alongside the verdict, so callers can store the
 * canonical value on success and echo what was actually checked on failure.
 */

export type CheckFailureReason = "format" | "checksum" | "length" | "country";

export type CheckResult =
  | { ok: true; normalized: string }
  | { ok: false; reason: CheckFailureReason; message: string; normalized: string };

function fail(reason: CheckFailureReason, message: string, normalized: string): CheckResult {
  return { ok: false, reason, message, normalized };
}

const DIGITS_ONLY = /^\d*$/;

/** Luhn (mod 10) check over a string of decimal digits; anything else, including "", is invalid. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    // Every second digit from the right is doubled; subtracting 9 adds the digits of 10..18.
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Removes the separators people type in SIREN/SIRET numbers ("732 829 320", "732.829.320",
 * "732-829-320"). `\s` also covers the no-break spaces French typography inserts. Letters are
 * kept on purpose so that "73282932O" is reported as a format error instead of silently changing.
 */
export function normalizeDigits(input: string): string {
  return input.replace(/[\s.-]/g, "");
}

/**
 * Remainder modulo 97 of the decimal number spelled by `value`, where letters stand for 10..35
 * (the ISO 7064 convention used by IBANs). Folding one character at a time keeps every
 * intermediate below 97 * 100 + 35, far inside the safe-integer range, so no BigInt is needed
 * for 30+ digit numbers. `value` must contain only [0-9A-Z].
 */
function mod97(value: string): number {
  let remainder = 0;
  for (const char of value) {
    const code = Number.parseInt(char, 36);
    remainder = (remainder * (code < 10 ? 10 : 100) + code) % 97;
  }
  return remainder;
}

export function checkSiren(input: string): CheckResult {
  const normalized = normalizeDigits(input);
  if (!DIGITS_ONLY.test(normalized)) return fail("format", "SIREN must contain only digits", normalized);
  if (normalized.length !== 9) {
    return fail("length", `SIREN must have 9 digits, got ${normalized.length}`, normalized);
  }
  if (!luhnValid(normalized)) return fail("checksum", "SIREN check digit is invalid", normalized);
  return { ok: true, normalized };
}

const LA_POSTE_SIREN = "356000000";
const LA_POSTE_HEAD_OFFICE_SIRET = "35600000000048";

export function checkSiret(input: string): CheckResult {
  const normalized = normalizeDigits(input);
  if (!DIGITS_ONLY.test(normalized)) return fail("format", "SIRET must contain only digits", normalized);
  if (normalized.length !== 14) {
    return fail("length", `SIRET must have 14 digits, got ${normalized.length}`, normalized);
  }
  // INSEE numbers La Poste's establishments (all but the head office) under a different rule:
  // the digit sum must be a multiple of 5. Most of them fail the ordinary Luhn check.
  const isLaPosteBranch =
    normalized.startsWith(LA_POSTE_SIREN) && normalized !== LA_POSTE_HEAD_OFFICE_SIRET;
  const siretValid = isLaPosteBranch ? digitSum(normalized) % 5 === 0 : luhnValid(normalized);
  if (!siretValid) return fail("checksum", "SIRET check digit is invalid", normalized);
  // A SIRET can satisfy its own Luhn key while embedding an invalid SIREN.
  if (!luhnValid(normalized.slice(0, 9))) {
    return fail("checksum", "SIREN part of the SIRET has an invalid check digit", normalized);
  }
  return { ok: true, normalized };
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

/** The SIREN embedded in a SIRET; does not validate, use checkSiret first. */
export function sirenFromSiret(siret: string): string {
  return normalizeDigits(siret).slice(0, 9);
}

/**
 * The numeric key of a French VAT number: (12 + 3 * (SIREN mod 97)) mod 97, on 2 digits.
 * Throws on anything but 9 digits: a key computed from garbage would look authoritative.
 */
export function frVatKey(siren: string): string {
  const digits = normalizeDigits(siren);
  if (!/^\d{9}$/.test(digits)) throw new RangeError(`SIREN must have 9 digits: "${siren}"`);
  return String((12 + 3 * mod97(digits)) % 97).padStart(2, "0");
}

// "New-style" keys are drawn from 0-9 and A-Z minus I and O (confusable with 1 and 0).
const FR_VAT_PATTERN = /^FR([0-9A-HJ-NP-Z]{2})(\d{9})$/;

/**
 * French intra-EU VAT number: "FR" + 2-character key + 9-digit SIREN.
 *
 * Only the key is verified, never the Luhn digit of the SIREN part: the key (a mod-97 over the
 * whole SIREN) already catches typos, and the SIREN part is not always a Luhn-valid SIREN
 * (Monaco businesses get French VAT numbers of the form FRxx000nnnnnn with no SIREN behind
 * them). Rejecting what the tax administration issues would block real customers.
 *
 * Alphabetic ("new-style") keys are accepted on format alone: their algorithm has no official
 * specification, so checking it could wrongly reject genuine numbers.
 */
export function checkFrVatNumber(input: string): CheckResult {
  const normalized = input.toUpperCase().replace(/[\s.-]/g, "");
  if (!/^[A-Z0-9]*$/.test(normalized)) {
    return fail("format", "VAT number must contain only letters and digits", normalized);
  }
  if (!/^[A-Z]{2}/.test(normalized)) {
    return fail("format", "VAT number must start with the country code FR", normalized);
  }
  if (!normalized.startsWith("FR")) {
    return fail("country", `Only French VAT numbers are supported, got ${normalized.slice(0, 2)}`, normalized);
  }
  if (normalized.length !== 13) {
    return fail("length", `French VAT number must have 13 characters, got ${normalized.length}`, normalized);
  }
  const match = FR_VAT_PATTERN.exec(normalized);
  if (!match) {
    return fail("format", "French VAT number must be FR + 2-character key + 9-digit SIREN", normalized);
  }
  const [, key = "", siren = ""] = match;
  if (/^\d{2}$/.test(key) && key !== frVatKey(siren)) {
    return fail("checksum", "VAT number key does not match the SIREN", normalized);
  }
  return { ok: true, normalized };
}

/**
 * IBAN length per country code, from the SWIFT IBAN registry (release 101).
 * The registry files the French overseas territories under FR and their banks issue FR IBANs,
 * but some systems print them with the territory's own ISO code and the same French layout.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27,
  BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28,
  EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21,
  LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25,
  SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
  // French overseas territories, FR layout.
  BL: 27, GF: 27, GP: 27, MF: 27, MQ: 27, NC: 27, PF: 27, PM: 27, RE: 27, TF: 27,
  WF: 27, YT: 27,
};

const FR_STRUCTURED_IBAN_COUNTRIES: ReadonlySet<string> = new Set([
  "FR", "MC", "BL", "GF", "GP", "MF", "MQ", "NC", "PF", "PM", "RE", "TF", "WF", "YT",
]);

// French RIB layout: bank code (5 digits), branch code (5 digits), account (11 alphanumeric),
// RIB key (2 digits).
const FR_BBAN_PATTERN = /^\d{5}\d{5}[0-9A-Z]{11}\d{2}$/;

function compactIban(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

export function checkIban(input: string): CheckResult {
  const normalized = compactIban(input);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]*$/.test(normalized)) {
    return fail(
      "format",
      "IBAN must be a 2-letter country code and 2 check digits followed by letters and digits",
      normalized,
    );
  }
  const country = normalized.slice(0, 2);
  const expectedLength = IBAN_LENGTHS[country];
  if (expectedLength === undefined) return fail("country", `Unknown IBAN country code ${country}`, normalized);
  if (normalized.length !== expectedLength) {
    return fail(
      "length",
      `${country} IBAN must have ${expectedLength} characters, got ${normalized.length}`,
      normalized,
    );
  }
  if (FR_STRUCTURED_IBAN_COUNTRIES.has(country) && !FR_BBAN_PATTERN.test(normalized.slice(4))) {
    return fail(
      "format",
      `${country} IBAN must be bank code (5 digits), branch code (5 digits), account (11 characters), key (2 digits)`,
      normalized,
    );
  }
  // ISO 13616 only issues check digits 02..98; 00, 01 and 99 are congruent to 97, 98 and 02, so
  // mod-97 alone would let those misspellings through.
  const checkDigits = Number(normalized.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) {
    return fail("checksum", "IBAN check digits must be between 02 and 98", normalized);
  }
  if (mod97(normalized.slice(4) + normalized.slice(0, 4)) !== 1) {
    return fail("checksum", "IBAN check digits are invalid", normalized);
  }
  return { ok: true, normalized };
}

/** BIC (ISO 9362): institution (4 letters), country (2 letters), location (2), optional branch (3). */
export function checkBic(input: string): CheckResult {
  const normalized = input.toUpperCase().replace(/\s/g, "");
  if (!/^[A-Z0-9]*$/.test(normalized)) return fail("format", "BIC must contain only letters and digits", normalized);
  if (normalized.length !== 8 && normalized.length !== 11) {
    return fail("length", `BIC must have 8 or 11 characters, got ${normalized.length}`, normalized);
  }
  if (!/^[A-Z]{6}[0-9A-Z]{2}([0-9A-Z]{3})?$/.test(normalized)) {
    return fail("format", "BIC must start with 6 letters (institution and country code)", normalized);
  }
  return { ok: true, normalized };
}

/** Printed IBAN layout: groups of 4 characters separated by spaces. */
export function formatIban(normalizedIban: string): string {
  return compactIban(normalizedIban).replace(/(.{4})(?=.)/g, "$1 ");
}

/**
 * IBAN safe to display or log: country code, check digits and the last 4 characters stay
 * readable so the holder can recognise the account; everything else becomes "*". The input is
 * compacted again so separators in it can neither shift the mask nor reveal the layout.
 */
export function maskIban(normalizedIban: string): string {
  const compact = compactIban(normalizedIban);
  const visibleTailStart = compact.length - 4;
  const masked = Array.from(compact, (char, i) => (i < 4 || i >= visibleTailStart ? char : "*"));
  return formatIban(masked.join(""));
}
