import { z } from "@hono/zod-openapi";

/**
 * Free text that people read: names (a payee's, a payer's, an account holder's), addresses,
 * invoice lines, reasons, descriptions. Shown on payment pages, invoices and in partners'
 * back offices, it must look like what it is: a right-to-left override or an invisible
 * character can make "Mairie de Lyon" display as something else, or two different names look
 * the same. So every such field is stored in NFC (one spelling per character: "é" typed as
 * e + U+0301 is stored as U+00E9) and refuses, with 400 naming the field:
 * - control characters, C0 (NUL, tab, newline…), DEL and C1; multi-line fields accept newlines
 *   and tabs (a CR LF or a lone CR becomes LF);
 * - the Unicode Bidi_Control characters: directional overrides and embeddings (U+202A–U+202E),
 *   isolates (U+2066–U+2069) and marks (U+200E, U+200F, U+061C);
 * - invisible characters: zero-width space, non-joiner and joiner (U+200B–U+200D), word joiner
 *   and invisible operators (U+2060–U+2064), the byte-order mark (U+FEFF), the line and
 *   paragraph separators (U+2028, U+2029), the noncharacters U+FFFE and U+FFFF;
 * - lone surrogates (not Unicode text: they cannot be stored or shown faithfully).
 */

export interface RefusedCharacter {
  /** Index in UTF-16 code units, as JavaScript counts. */
  index: number;
  codePoint: number;
  kind: string;
}

function kindOf(c: number, multiline: boolean): string | null {
  if (c === 0x00) return "NUL";
  if (c <= 0x1f || c === 0x7f) return multiline && (c === 0x0a || c === 0x09) ? null : "a control character";
  if (c >= 0x80 && c <= 0x9f) return "a control character";
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c) return "a bidirectional control character";
  if ((c >= 0x200b && c <= 0x200d) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff) return "an invisible character";
  if (c === 0x2028 || c === 0x2029) return "a line or paragraph separator";
  if (c === 0xfffe || c === 0xffff) return "a noncharacter";
  return null;
}

/** The first character a text field refuses, or null when the text is acceptable. */
export function refusedCharacter(value: string, multiline = false): RefusedCharacter | null {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair: an astral character (emoji, rare CJK), fine
        continue;
      }
      return { index: i, codePoint: c, kind: "a lone surrogate" };
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { index: i, codePoint: c, kind: "a lone surrogate" };
    const kind = kindOf(c, multiline);
    if (kind) return { index: i, codePoint: c, kind };
  }
  return null;
}

function describe(refused: RefusedCharacter): string {
  const hex = refused.codePoint.toString(16).toUpperCase().padStart(4, "0");
  return `must not contain ${refused.kind} (U+${hex} at position ${refused.index + 1})`;
}

/**
 * The same rule for OpenAPI readers (ECMA-262 syntax), so generated clients can check before
 * sending; lone surrogates cannot be expressed in it and are refused by the server alone.
 */
const REFUSED_CLASS = "\\u061C\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\uFFFE\\uFFFF";
export const SINGLE_LINE_PATTERN = `^[^\\u0000-\\u001F\\u007F-\\u009F${REFUSED_CLASS}]*$`;
export const MULTILINE_PATTERN = `^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${REFUSED_CLASS}]*$`;

export interface TextOptions {
  /** Minimum length after trimming and normalization (default 0). */
  min?: number;
  max: number;
  /** Newlines and tabs allowed (long descriptions, metadata values); names and lines are single-line. */
  multiline?: boolean;
  /** Keep surrounding whitespace (metadata keys and values are the partner's own bytes). Default: trimmed. */
  trim?: boolean;
}

/**
 * A free-text string field of a request: checked on what was sent, then trimmed, normalized to
 * NFC, and its length checked on what will be stored.
 */
export function Text({ min = 0, max, multiline = false, trim = true }: TextOptions) {
  let schema = z.string();
  if (multiline) schema = schema.overwrite((v) => v.replace(/\r\n?/g, "\n"));
  schema = schema.superRefine((value, ctx) => {
    const refused = refusedCharacter(value, multiline);
    if (refused) ctx.addIssue({ code: "custom", message: describe(refused), params: { code: "invalid_characters" } });
  });
  if (trim) schema = schema.trim();
  schema = schema.normalize("NFC");
  if (min > 0) schema = schema.min(min);
  return schema.max(max).openapi({ pattern: multiline ? MULTILINE_PATTERN : SINGLE_LINE_PATTERN });
}
