/**
 * GSM 03.38: an SMS holds 160 characters of the GSM-7 alphabet; the extension table's characters
 * (€, [, ], {, }, \, ^, ~, |) take two. A text with any other character would be sent as UCS-2
 * and hold only 70, so texts are reduced to GSM-7 (ç → c, ê → e, no-break spaces → spaces).
 */

const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXTENDED = "^{}\\[~]|€\f";
const BASIC_SET = new Set(BASIC);
const EXTENDED_SET = new Set(EXTENDED);

export const SMS_MAX_GSM7 = 160;

/** Septets the text takes in GSM-7, or null if a character has no GSM-7 encoding. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (BASIC_SET.has(ch)) n += 1;
    else if (EXTENDED_SET.has(ch)) n += 2;
    else return null;
  }
  return n;
}

const REPLACEMENTS: Record<string, string> = { "\u00a0": " ", "\u202f": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", œ: "oe", Œ: "OE", "«": '"', "»": '"' };

/** The text in GSM-7: accents GSM-7 lacks dropped (ç → c), typographic characters made plain. */
export function toGsm7(text: string): string {
  let out = "";
  for (const ch of text) {
    if (BASIC_SET.has(ch) || EXTENDED_SET.has(ch)) {
      out += ch;
      continue;
    }
    const replaced = REPLACEMENTS[ch];
    if (replaced !== undefined) {
      out += replaced;
      continue;
    }
    const bare = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    out += [...bare].every((c) => BASIC_SET.has(c)) ? bare : "?";
  }
  return out;
}

/**
 * One SMS: the template's text with the organization's name in place of `{org}`, then the link.
 * A name too long for the text to fit is shortened (the sender id already names the organization),
 * down to nothing; a link that leaves no room at all is a platform misconfiguration, not the payer's.
 */
export function fitSms(template: string, orgName: string, link: string | null): string {
  const compose = (org: string) => toGsm7(template.replace("{org}", org) + (link ?? "")).replace(/^: /, "").trimEnd();
  const name = toGsm7(orgName).trim();
  for (let len = name.length; len >= 0; len--) {
    const org = len === name.length ? name : `${name.slice(0, Math.max(0, len - 1)).trimEnd()}.`;
    const text = compose(len === 0 ? "" : org);
    const size = gsm7Length(text);
    if (size !== null && size <= SMS_MAX_GSM7) return text;
  }
  throw new Error(`SMS does not fit in ${SMS_MAX_GSM7} GSM-7 characters even without the organization's name (link of ${link?.length ?? 0} characters)`);
}
