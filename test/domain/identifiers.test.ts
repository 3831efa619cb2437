import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  checkBic,
  checkFrVatNumber,
  checkIban,
  checkSiren,
  checkSiret,
  formatIban,
  frVatKey,
  luhnValid,
  maskIban,
  normalizeDigits,
  sirenFromSiret,
} from "../../src/domain/identifiers";

// Expected values below were computed independently of the implementation (Python, with int()
// arithmetic), not copied from its output.

type Reason = Extract<CheckResult, { ok: false }>["reason"];

function expectOk(result: CheckResult, normalized: string): void {
  expect(result).toEqual({ ok: true, normalized });
}

function expectFail(result: CheckResult, reason: Reason, normalized: string): void {
  expect(result).toMatchObject({ ok: false, reason, normalized });
  if (!result.ok) expect(result.message).not.toBe("");
}

/** Luhn check digit written as weights rather than the implementation's doubling loop. */
function luhnCheckDigit(payload: string): string {
  let sum = 0;
  [...payload].reverse().forEach((char, i) => {
    const weighted = Number(char) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(weighted / 10) + (weighted % 10);
  });
  return String((10 - (sum % 10)) % 10);
}

/** Deterministic PRNG (mulberry32) so a failing generated case can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDigits(random: () => number, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += String(Math.floor(random() * 10));
  return out;
}

/** Replaces the digit at `index` by a different digit. */
function flipDigit(digits: string, index: number, random: () => number): string {
  const original = Number(digits[index]);
  const replacement = (original + 1 + Math.floor(random() * 9)) % 10;
  return digits.slice(0, index) + String(replacement) + digits.slice(index + 1);
}

describe("luhnValid", () => {
  it.each([
    ["79927398713", true], // textbook example
    ["79927398710", false],
    ["0", true],
    ["0000000000", true],
    ["732829320", true],
    ["216901234", false],
    // From the right, kept 4,0,0,2,9,8,3 = 26; doubled 7,0,0,3,2,2,7 -> 5,0,0,6,4,4,5 = 24;
    // 26 + 24 = 50 -> valid.
    ["73282932000074", true],
    // From the right, kept 9,0,0,3,1,9,1 = 23; doubled 1,0,4,2,0,6,2 -> 2,0,8,4,0,3,4 = 21;
    // 23 + 21 = 44 -> invalid.
    ["21690123400019", false],
    ["35600000000048", true],
    ["35600000010000", false],
  ])("luhnValid(%j) === %s", (digits, expected) => {
    expect(luhnValid(digits)).toBe(expected);
  });

  it.each(["", " 0", "12a", "7992 7398 713", "-0", "1.0"])("rejects non-digit input %j", (input) => {
    expect(luhnValid(input)).toBe(false);
  });
});

describe("normalizeDigits", () => {
  it.each([
    ["732829320", "732829320"],
    ["732 829 320", "732829320"],
    ["732.829.320", "732829320"],
    ["732-829-320", "732829320"],
    [" 732 829 320 00074 ", "73282932000074"],
    ["\u00a0732\u202f829\t320\n", "732829320"], // no-break and narrow no-break spaces
    ["73282932O", "73282932O"], // letters are kept, never dropped
    ["732_829/320", "732_829/320"],
    ["", ""],
    [" . - ", ""],
  ])("normalizeDigits(%j) === %j", (input, expected) => {
    expect(normalizeDigits(input)).toBe(expected);
  });
});

describe("checkSiren", () => {
  it.each([
    ["732829320", "732829320"],
    ["552081317", "552081317"],
    ["443121975", "443121975"],
    ["356000000", "356000000"], // La Poste's SIREN is an ordinary Luhn-valid one
    ["732 829 320", "732829320"],
    ["732.829.320", "732829320"],
    ["\u00a0732\u202f829\u202f320 ", "732829320"],
  ])("accepts %j", (input, normalized) => {
    expectOk(checkSiren(input), normalized);
  });

  it.each<[string, Reason, string]>([
    ["216901234", "checksum", "216901234"],
    ["732829321", "checksum", "732829321"],
    ["732829302", "checksum", "732829302"], // adjacent digits swapped
    ["", "length", ""],
    ["   ", "length", ""],
    ["73282932", "length", "73282932"],
    ["7328293200", "length", "7328293200"],
    ["73282932000074", "length", "73282932000074"],
    ["73282932O", "format", "73282932O"],
    ["SIREN732829320", "format", "SIREN732829320"],
    ["732_829_320", "format", "732_829_320"],
    ["+33732829320", "format", "+33732829320"],
  ])("rejects %j with %s", (input, reason, normalized) => {
    expectFail(checkSiren(input), reason, normalized);
  });

  it("accepts 200 generated SIRENs and rejects every single-digit substitution of them", () => {
    const random = seededRandom(0x5123);
    for (let n = 0; n < 200; n++) {
      const payload = randomDigits(random, 8);
      const siren = payload + luhnCheckDigit(payload);
      expectOk(checkSiren(siren), siren);
      // Luhn detects every single-digit substitution, wherever it lands.
      const corrupted = flipDigit(siren, Math.floor(random() * 9), random);
      expectFail(checkSiren(corrupted), "checksum", corrupted);
    }
  });
});

describe("checkSiret", () => {
  it.each([
    ["73282932000074", "73282932000074"],
    ["73282932000108", "73282932000108"],
    ["55208131700026", "55208131700026"],
    ["44312197500017", "44312197500017"],
    ["732 829 320 00074", "73282932000074"],
    ["732.829.320.00074", "73282932000074"],
    ["732-829-320-00074", "73282932000074"],
    // La Poste head office: digit sum 26 is not a multiple of 5, it is valid through Luhn only.
    ["35600000000048", "35600000000048"],
    // La Poste establishments: Luhn fails, digit sum is a multiple of 5 (15 and 15).
    ["35600000010000", "35600000010000"],
    ["35600000000001", "35600000000001"],
    ["356 000 000 10000", "35600000010000"],
  ])("accepts %j", (input, normalized) => {
    expectOk(checkSiret(input), normalized);
  });

  it.each<[string, Reason, string]>([
    ["21690123400019", "checksum", "21690123400019"], // the spec's example: fails Luhn
    ["21690123400015", "checksum", "21690123400015"], // SIRET Luhn ok, but SIREN 216901234 is not
    ["55208131700028", "checksum", "55208131700028"],
    ["73282932000075", "checksum", "73282932000075"],
    // La Poste: Luhn-valid but digit sum 19, so the La Poste rule (not Luhn) rejects it.
    ["35600000000014", "checksum", "35600000000014"],
    ["35600000010001", "checksum", "35600000010001"], // digit sum 16
    ["35600000000049", "checksum", "35600000000049"], // next to the head office, digit sum 27
    ["", "length", ""],
    ["7328293200007", "length", "7328293200007"],
    ["732829320000740", "length", "732829320000740"],
    ["732829320", "length", "732829320"],
    ["7328293200007A", "format", "7328293200007A"],
    ["73282932OOOO74", "format", "73282932OOOO74"],
    ["732829320/00074", "format", "732829320/00074"],
  ])("rejects %j with %s", (input, reason, normalized) => {
    expectFail(checkSiret(input), reason, normalized);
  });

  it("names the SIREN part when only the SIREN check digit is wrong", () => {
    const result = checkSiret("21690123400015");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/SIREN/);
  });

  it("accepts 200 generated SIRETs and rejects a single-digit substitution of each", () => {
    const random = seededRandom(0x51e7);
    for (let n = 0; n < 200; n++) {
      const sirenPayload = randomDigits(random, 8);
      const siren = sirenPayload + luhnCheckDigit(sirenPayload);
      if (siren === "356000000") continue; // La Poste follows its own rule
      const payload = siren + randomDigits(random, 4);
      const siret = payload + luhnCheckDigit(payload);
      expectOk(checkSiret(siret), siret);
      const corrupted = flipDigit(siret, Math.floor(random() * 14), random);
      expectFail(checkSiret(corrupted), "checksum", corrupted);
    }
  });

  it("checks every La Poste establishment number by digit sum", () => {
    const random = seededRandom(0x356);
    for (let n = 0; n < 200; n++) {
      const siret = `356000000${randomDigits(random, 5)}`;
      if (siret === "35600000000048") continue;
      const digitSum = [...siret].reduce((sum, char) => sum + Number(char), 0);
      expect(checkSiret(siret).ok).toBe(digitSum % 5 === 0);
    }
  });
});

describe("sirenFromSiret", () => {
  it.each([
    ["73282932000074", "732829320"],
    ["732 829 320 00074", "732829320"],
    ["732.829.320-00074", "732829320"],
    ["35600000000048", "356000000"],
    ["123", "123"],
    ["", ""],
  ])("sirenFromSiret(%j) === %j", (input, expected) => {
    expect(sirenFromSiret(input)).toBe(expected);
  });
});

describe("frVatKey", () => {
  it.each([
    // (12 + 3 * (siren mod 97)) mod 97
    ["216901234", "69"],
    ["552081317", "03"], // EDF, zero-padded
    ["732829320", "44"],
    ["443121975", "46"],
    ["000123456", "34"], // Monaco-style SIREN part
    ["000000001", "15"],
    ["000000000", "12"],
    ["552 081 317", "03"],
  ])("frVatKey(%j) === %j", (siren, expected) => {
    expect(frVatKey(siren)).toBe(expected);
  });

  it.each(["", "55208131", "5520813170", "55208131A", "FR552081317"])("throws on %j", (siren) => {
    expect(() => frVatKey(siren)).toThrow(RangeError);
  });
});

describe("checkFrVatNumber", () => {
  it.each([
    ["FR03552081317", "FR03552081317"],
    ["FR44732829320", "FR44732829320"],
    ["FR46443121975", "FR46443121975"],
    ["fr 03 552 081 317", "FR03552081317"],
    ["FR-03-552.081.317", "FR03552081317"],
    ["\u00a0FR03\u202f552081317\t", "FR03552081317"],
    // Right key, although SIREN 216901234 fails Luhn: only the key is checked.
    ["FR69216901234", "FR69216901234"],
    // Monaco: "000" SIREN prefix, not a SIREN but a valid VAT number.
    ["FR34000123456", "FR34000123456"],
    ["FR15000000001", "FR15000000001"],
    // New-style alphabetic keys are accepted on format alone.
    ["FRA1552081317", "FRA1552081317"],
    ["FR1A552081317", "FR1A552081317"],
    ["FRAB552081317", "FRAB552081317"],
    ["frzz000123456", "FRZZ000123456"],
    ["FRHJ216901234", "FRHJ216901234"],
  ])("accepts %j", (input, normalized) => {
    expectOk(checkFrVatNumber(input), normalized);
  });

  it.each<[string, Reason, string]>([
    ["FR21216901234", "checksum", "FR21216901234"],
    ["FR04552081317", "checksum", "FR04552081317"],
    ["FR30552081317", "checksum", "FR30552081317"],
    ["FR35000123456", "checksum", "FR35000123456"], // Monaco numbers still need the right key
    ["FR00552081317", "checksum", "FR00552081317"],
    ["", "format", ""],
    ["03552081317", "format", "03552081317"], // missing country prefix
    ["F", "format", "F"],
    ["FR03_552081317", "format", "FR03_552081317"],
    ["FR03552081317é", "format", "FR03552081317É"],
    ["FRI1552081317", "format", "FRI1552081317"], // I and O are not key characters
    ["FRO1552081317", "format", "FRO1552081317"],
    ["FR1O552081317", "format", "FR1O552081317"],
    ["FR03552081A17", "format", "FR03552081A17"],
    ["FR03A52081317", "format", "FR03A52081317"],
    ["DE123456789", "country", "DE123456789"],
    ["BE0123456789", "country", "BE0123456789"],
    ["MC03552081317", "country", "MC03552081317"],
    ["FR", "length", "FR"],
    ["FR0355208131", "length", "FR0355208131"],
    ["FR035520813170", "length", "FR035520813170"],
    ["FR552081317", "length", "FR552081317"], // SIREN without key
  ])("rejects %j with %s", (input, reason, normalized) => {
    expectFail(checkFrVatNumber(input), reason, normalized);
  });

  it("accepts the key computed for 200 generated SIRENs and rejects every other numeric key", () => {
    const random = seededRandom(0x7a);
    for (let n = 0; n < 200; n++) {
      const siren = randomDigits(random, 9);
      const key = (12 + 3 * (Number(siren) % 97)) % 97;
      const vatNumber = `FR${String(key).padStart(2, "0")}${siren}`;
      expectOk(checkFrVatNumber(vatNumber), vatNumber);
      const wrongKey = String((key + 1 + Math.floor(random() * 96)) % 97).padStart(2, "0");
      expectFail(checkFrVatNumber(`FR${wrongKey}${siren}`), "checksum", `FR${wrongKey}${siren}`);
    }
  });
});

describe("checkIban", () => {
  it.each([
    ["FR7630006000011234567890189", "FR7630006000011234567890189"],
    ["FR1420041010050500013M02606", "FR1420041010050500013M02606"],
    ["fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"],
    ["FR76-3000-6000-0112-3456-7890-189", "FR7630006000011234567890189"],
    ["\u00a0FR76\u202f3000\t6000 0112 3456 7890 189\n", "FR7630006000011234567890189"],
    ["fr1420041010050500013m02606", "FR1420041010050500013M02606"],
    ["MC5811222000010123456789030", "MC5811222000010123456789030"],
    ["GP1120041010050500013M02606", "GP1120041010050500013M02606"], // overseas code, FR layout
    ["DE89370400440532013000", "DE89370400440532013000"],
    ["GB82WEST12345698765432", "GB82WEST12345698765432"],
    ["BE68539007547034", "BE68539007547034"],
    ["CH9300762011623852957", "CH9300762011623852957"],
    ["NO9386011117947", "NO9386011117947"], // shortest registry length
    ["MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S"],
    // Check digits at both ends of the 02..98 range.
    ["FR0230006000010000000008080", "FR0230006000010000000008080"],
    ["FR9830006000010000000003636", "FR9830006000010000000003636"],
    ["AX2112345600000785", "AX2112345600000785"], // Åland: in the registry (ibantools), missed by the old hand-kept table
  ])("accepts %j", (input, normalized) => {
    expectOk(checkIban(input), normalized);
  });

  it.each<[string, Reason, string]>([
    // mod-97 remainders 29, 56 and 83 instead of 1.
    ["FR7612345678901234567890123", "checksum", "FR7612345678901234567890123"],
    ["FR7612345678901234567890124", "checksum", "FR7612345678901234567890124"],
    ["FR7612345678901234567890125", "checksum", "FR7612345678901234567890125"],
    ["FR7630006000011234567890188", "checksum", "FR7630006000011234567890188"],
    ["FR7630006000011234567890198", "checksum", "FR7630006000011234567890198"], // transposition
    ["FR6730006000011234567890189", "checksum", "FR6730006000011234567890189"],
    ["DE89370400440532013001", "checksum", "DE89370400440532013001"],
    ["GB82WEST12345698765433", "checksum", "GB82WEST12345698765433"],
    // Pass mod-97 (00 = 97, 01 = 98, 99 = 02 modulo 97) but ISO 13616 never issues them.
    ["FR0030006000010000000008989", "checksum", "FR0030006000010000000008989"],
    ["FR0130006000010000000003636", "checksum", "FR0130006000010000000003636"],
    ["FR9930006000010000000008080", "checksum", "FR9930006000010000000008080"],
    ["FR763000600001123456789018", "length", "FR763000600001123456789018"],
    ["FR76300060000112345678901890", "length", "FR76300060000112345678901890"],
    ["FR76", "length", "FR76"],
    ["DE8937040044053201300", "length", "DE8937040044053201300"],
    ["BE685390075470341", "length", "BE685390075470341"],
    ["XX7630006000011234567890189", "country", "XX7630006000011234567890189"],
    ["US64SVBKUS6S3300958879", "country", "US64SVBKUS6S3300958879"],
    ["", "format", ""],
    ["   ", "format", ""],
    ["FR", "format", "FR"],
    ["7630006000011234567890189", "format", "7630006000011234567890189"],
    ["FRAB30006000011234567890189", "format", "FRAB30006000011234567890189"],
    ["F17630006000011234567890189", "format", "F17630006000011234567890189"],
    ["FR76 3000.6000 0112 3456 7890 189", "format", "FR763000.6000011234567890189"],
    ["FR76_30006000011234567890189", "format", "FR76_30006000011234567890189"],
    ["FR7630006000011234567890189é", "format", "FR7630006000011234567890189É"],
    // FR/MC layout: 5-digit bank and branch codes, 2-digit RIB key.
    ["FR76A0006000011234567890189", "format", "FR76A0006000011234567890189"],
    ["FR7630006B00011234567890189", "format", "FR7630006B00011234567890189"],
    ["FR763000600001123456789018A", "format", "FR763000600001123456789018A"],
    ["MC58A1222000010123456789030", "format", "MC58A1222000010123456789030"],
    ["GP1120041010050500013M0260X", "format", "GP1120041010050500013M0260X"],
    // Passes mod-97, but a GB account starts with its bank's 4 letters (registry layout, ibantools).
    ["GB25123412345698765432", "format", "GB25123412345698765432"],
  ])("rejects %j with %s", (input, reason, normalized) => {
    expectFail(checkIban(input), reason, normalized);
  });

  it.each([
    ["AD", 24], ["AT", 20], ["BE", 16], ["BG", 22], ["CH", 21], ["CY", 28], ["CZ", 24], ["DE", 22],
    ["DK", 18], ["EE", 20], ["ES", 24], ["FI", 18], ["FR", 27], ["GB", 22], ["GI", 23], ["GR", 27],
    ["HR", 21], ["HU", 28], ["IE", 22], ["IS", 26], ["IT", 27], ["LI", 21], ["LT", 20], ["LU", 20],
    ["LV", 21], ["MC", 27], ["MT", 31], ["NL", 18], ["NO", 15], ["PL", 28], ["PT", 25], ["RO", 24],
    ["SE", 24], ["SI", 19], ["SK", 24], ["SM", 27], ["VA", 22],
    ["GP", 27], ["MQ", 27], ["RE", 27], ["GF", 27], ["YT", 27], ["PM", 27], ["NC", 27], ["PF", 27],
    ["WF", 27], ["BL", 27], ["MF", 27], ["TF", 27],
  ])("knows %s IBANs have %i characters", (country, length) => {
    // Digits only, so the FR layout is met; the verdict then depends on length alone: the right
    // length reaches the checksum, one character more or less is a length error.
    const body = "0".repeat(length - 4);
    expect(checkIban(`${country}00${body}`)).toMatchObject({ ok: false, reason: "checksum" });
    expect(checkIban(`${country}00${body}0`)).toMatchObject({ ok: false, reason: "length" });
    expect(checkIban(`${country}00${body.slice(1)}`)).toMatchObject({ ok: false, reason: "length" });
  });

  it("accepts 200 generated French IBANs and rejects a single-character substitution of each", () => {
    const random = seededRandom(0x1ba2);
    for (let n = 0; n < 200; n++) {
      const bban = randomDigits(random, 23);
      // ISO 7064 check digits: 98 - (BBAN + "FR00" with F=15, R=27) mod 97, folded 7 digits at
      // a time so every intermediate stays an exact double.
      const numeric = `${bban}152700`;
      let remainder = 0;
      for (let i = 0; i < numeric.length; i += 7) {
        remainder = Number(`${remainder}${numeric.slice(i, i + 7)}`) % 97;
      }
      const checkDigits = String(98 - remainder).padStart(2, "0");
      const iban = `FR${checkDigits}${bban}`;
      expectOk(checkIban(iban), iban);
      const index = 4 + Math.floor(random() * 23);
      const corrupted = flipDigit(iban, index, random);
      expectFail(checkIban(corrupted), "checksum", corrupted);
    }
  });
});

describe("checkBic", () => {
  it.each([
    ["BNPAFRPPXXX", "BNPAFRPPXXX"],
    ["BNPAFRPP", "BNPAFRPP"],
    ["bnpafrpp", "BNPAFRPP"],
    [" BNPA FR PP XXX ", "BNPAFRPPXXX"],
    ["DEUTDEFF500", "DEUTDEFF500"],
    ["AGRIFRPP882", "AGRIFRPP882"],
    ["CMCIFR2A", "CMCIFR2A"], // digits are allowed in the location code
    ["SOGEFRPP", "SOGEFRPP"],
  ])("accepts %j", (input, normalized) => {
    expectOk(checkBic(input), normalized);
  });

  it.each<[string, Reason, string]>([
    ["BNPAFRP", "length", "BNPAFRP"],
    ["", "length", ""],
    ["BNPAFRPPX", "length", "BNPAFRPPX"],
    ["BNPAFRPPXX", "length", "BNPAFRPPXX"],
    ["BNPAFRPPXXXX", "length", "BNPAFRPPXXXX"],
    ["1NPAFRPP", "format", "1NPAFRPP"],
    ["BNPAF1PP", "format", "BNPAF1PP"], // country code must be letters
    ["BNPA-FRPP", "format", "BNPA-FRPP"],
    ["BNPAFRPP_XX", "format", "BNPAFRPP_XX"],
    ["BNPAFRPPÉ", "format", "BNPAFRPPÉ"],
    ["BNPAXXPP", "country", "BNPAXXPP"], // XX is no country (ISO 3166, ibantools)
  ])("rejects %j with %s", (input, reason, normalized) => {
    expectFail(checkBic(input), reason, normalized);
  });
});

describe("formatIban", () => {
  it.each([
    ["FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189"],
    ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00"],
    ["BE68539007547034", "BE68 5390 0754 7034"],
    ["NO9386011117947", "NO93 8601 1117 947"],
    ["MT84MALT011000012345MTLCAST001S", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"],
    ["fr76 3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 189"],
    ["FR76", "FR76"],
    ["FR7", "FR7"],
    ["", ""],
  ])("formatIban(%j) === %j", (input, expected) => {
    expect(formatIban(input)).toBe(expected);
  });
});

describe("maskIban", () => {
  it.each([
    ["FR7630006000011234567890189", "FR76 **** **** **** **** ***0 189"],
    ["FR1420041010050500013M02606", "FR14 **** **** **** **** ***2 606"],
    ["DE89370400440532013000", "DE89 **** **** **** **30 00"],
    ["BE68539007547034", "BE68 **** **** 7034"],
    ["NO9386011117947", "NO93 **** ***7 947"],
    ["FR76 3000 6000 0112 3456 7890 189", "FR76 **** **** **** **** ***0 189"],
    ["fr76-3000-6000-0112-3456-7890-189", "FR76 **** **** **** **** ***0 189"],
    ["ABCDEFGHI", "ABCD *FGH I"],
    ["ABCDEFGH", "ABCD EFGH"], // nothing between the visible ends
    ["ABC", "ABC"],
    ["", ""],
  ])("maskIban(%j) === %j", (input, expected) => {
    expect(maskIban(input)).toBe(expected);
  });

  it("never reveals a character between the first 4 and the last 4", () => {
    const masked = maskIban("MT84MALT011000012345MTLCAST001S").replaceAll(" ", "");
    expect(masked).toHaveLength(31);
    expect(masked.slice(0, 4)).toBe("MT84");
    expect(masked.slice(4, -4)).toMatch(/^\*+$/);
    expect(masked.slice(-4)).toBe("001S");
  });
});
