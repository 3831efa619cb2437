/**
 * Validation of French business and banking identifiers: SIREN, SIRET, intra-EU VAT number
 * (FR only), IBAN and BIC.
 *
 * Every check returns the normalized form alongside the verdict, so callers can store the
 * canonical value on success and echo what was actually checked on failure. The French rules
 * (SIREN, SIRET and its La Poste exception, VAT key) are ours; the IBAN registry, mod-97 and BIC
 * shape come from ibantools.
 */

import { ValidationErrorsBIC, ValidationErrorsIBAN, friendlyFormatIBAN, getCountrySpecifications, validateBIC, validateIBAN } from "ibantools";

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
  // Nine digits stay far inside the safe-integer range.
  return String((12 + 3 * (Number(digits) % 97)) % 97).padStart(2, "0");
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
 * The IBAN registry (length and account layout per country, French overseas territories under
 * their own codes with the FR layout) comes from ibantools, so the table follows SWIFT's
 * releases with the library instead of by hand.
 */
const IBAN_COUNTRIES = getCountrySpecifications();
const FR_BBAN_LAYOUT = IBAN_COUNTRIES.FR?.bban_regexp;

function compactIban(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

/**
 * Registry length, account layout and mod-97 (ibantools), reported in the order a payer fixes
 * them. National keys inside the account number (the French RIB key, …) are not checked: mod-97
 * over the whole IBAN already catches typos, and a refused real account costs more than it saves.
 */
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
  const spec = IBAN_COUNTRIES[country];
  if (!spec?.chars) return fail("country", `Unknown IBAN country code ${country}`, normalized);
  if (normalized.length !== spec.chars) {
    return fail("length", `${country} IBAN must have ${spec.chars} characters, got ${normalized.length}`, normalized);
  }
  // ISO 13616 only issues check digits 02..98 (00, 01 and 99 are congruent to 97, 98 and 02):
  // ibantools refuses them as a wrong checksum; saying which rule they break helps the payer.
  const checkDigits = Number(normalized.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) {
    return fail("checksum", "IBAN check digits must be between 02 and 98", normalized);
  }
  const { errorCodes } = validateIBAN(normalized);
  if (errorCodes.includes(ValidationErrorsIBAN.WrongBBANFormat)) {
    return fail(
      "format",
      spec.bban_regexp === FR_BBAN_LAYOUT
        ? `${country} IBAN must be bank code (5 digits), branch code (5 digits), account (11 characters), key (2 digits)`
        : `${country} IBAN does not follow the account layout of its country`,
      normalized,
    );
  }
  if (errorCodes.includes(ValidationErrorsIBAN.WrongIBANChecksum)) {
    return fail("checksum", "IBAN check digits are invalid", normalized);
  }
  return { ok: true, normalized };
}

/**
 * BIC (ISO 9362): institution (4 letters), country (2 letters), location (2), optional branch (3);
 * ibantools checks the shape and that the country exists.
 */
export function checkBic(input: string): CheckResult {
  const normalized = input.toUpperCase().replace(/\s/g, "");
  if (!/^[A-Z0-9]*$/.test(normalized)) return fail("format", "BIC must contain only letters and digits", normalized);
  if (normalized.length !== 8 && normalized.length !== 11) {
    return fail("length", `BIC must have 8 or 11 characters, got ${normalized.length}`, normalized);
  }
  const { errorCodes } = validateBIC(normalized);
  // ibantools looks the country up before the shape: "BNPAF1PP" is a layout error to the payer.
  if (errorCodes.includes(ValidationErrorsBIC.WrongBICFormat) || !/^[A-Z]{6}/.test(normalized)) {
    return fail("format", "BIC must start with 6 letters (institution and country code)", normalized);
  }
  if (errorCodes.includes(ValidationErrorsBIC.NoBICCountry)) {
    return fail("country", `BIC country code ${normalized.slice(4, 6)} is not a country`, normalized);
  }
  return { ok: true, normalized };
}

/** Printed IBAN layout: groups of 4 characters separated by spaces. */
export function formatIban(normalizedIban: string): string {
  return friendlyFormatIBAN(compactIban(normalizedIban)) ?? "";
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
