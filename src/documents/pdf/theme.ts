// Colours and sizes of every document. A seller's brand colour is only an accent (title, table
// header, amount due): it is used when white text on it and it on white keep WCAG's 4.5:1 contrast,
// otherwise the default dark blue is — a pale brand colour must not make an invoice unreadable.
import { rgb, type RGB } from "@cantoo/pdf-lib";

export const DEFAULT_ACCENT = "#1f3a5f";

type Rgb = { r: number; g: number; b: number };

function parseHex(hex: string): Rgb | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m?.[1]) return null;
  const n = Number.parseInt(m[1], 16);
  return { r: (n >> 16) & 0xff, g: (n >> 8) & 0xff, b: n & 0xff };
}

/** WCAG 2 relative luminance of an sRGB colour. */
function luminance({ r, g, b }: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Contrast ratio of a colour against white (1 to 21). */
export function contrastOnWhite(hex: string): number {
  const c = parseHex(hex);
  if (!c) return 1;
  return 1.05 / (luminance(c) + 0.05);
}

/** The accent colour to print: the seller's when it keeps 4.5:1 on white, else the default. */
export function accentColor(primary: string | null | undefined): string {
  if (primary && parseHex(primary) && contrastOnWhite(primary) >= 4.5) return `#${primary.trim().replace(/^#/, "").toLowerCase()}`;
  return DEFAULT_ACCENT;
}

export function toRgb(hex: string): RGB {
  const c = parseHex(hex) ?? (parseHex(DEFAULT_ACCENT) as Rgb);
  return rgb(c.r / 255, c.g / 255, c.b / 255);
}

export type Theme = {
  accent: RGB;
  /** Body text (16:1 on white). */
  ink: RGB;
  /** Secondary text: labels, footers (7:1 on white). */
  muted: RGB;
  rule: RGB;
  /** Table header and box backgrounds. */
  tint: RGB;
  zebra: RGB;
  white: RGB;
  /** The draft banner and watermark (white on it: 6.5:1). */
  alert: RGB;
};

export function theme(primary: string | null | undefined): Theme {
  return {
    accent: toRgb(accentColor(primary)),
    ink: toRgb("#1a1a1a"),
    muted: toRgb("#4d5562"),
    rule: toRgb("#c9ced6"),
    tint: toRgb("#eef1f5"),
    zebra: toRgb("#f6f7f9"),
    white: rgb(1, 1, 1),
    alert: toRgb("#b42318"),
  };
}

/** A4 portrait, in points, and the margins every document uses. */
export const PAGE = { width: 595.28, height: 841.89, marginX: 48, marginTop: 44, marginBottom: 58 } as const;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.marginX;
