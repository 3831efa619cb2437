// The one typeface of every document: DejaVu Sans Condensed (npm `dejavu-fonts-ttf`, Bitstream Vera
// licence, free to embed). It covers French in full — é à ç œ « » ’ € and the no-break spaces
// U+00A0/U+202F that French amounts use — and is embedded as a subset (PDF/A forbids the 14
// standard fonts, which are never embedded). Condensed so that a lines table fits A4 in 9 pt.
import boldTtf from "dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf";
import regularTtf from "dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf";

export const FONT_FILES = {
  regular: { postscriptName: "DejaVuSansCondensed", bytes: regularTtf },
  bold: { postscriptName: "DejaVuSansCondensed-Bold", bytes: boldTtf },
} as const;

const views = new Map<keyof typeof FONT_FILES, Uint8Array>();

/** The font file's bytes, whichever way the bundler delivered them (always the same view, see fontkitCache). */
export function fontBytes(which: keyof typeof FONT_FILES): Uint8Array {
  let view = views.get(which);
  if (!view) {
    const bytes = FONT_FILES[which].bytes;
    view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    views.set(which, view);
  }
  return view;
}

type FontkitLike = { create(buffer: Uint8Array, postscriptName?: string): unknown };

/**
 * A fontkit that parses each font file once per isolate. Parsing DejaVu's tables and building its
 * OpenType layout state was most of a render's CPU time; the parsed font is only read afterwards
 * (each document makes its own subset from it), so sharing it changes no output byte — the
 * determinism tests render with a cold and a warm cache.
 */
export function cachingFontkit<F extends FontkitLike>(fontkit: F): F {
  const parsed = new WeakMap<Uint8Array, unknown>();
  return {
    ...fontkit,
    create(buffer: Uint8Array, postscriptName?: string) {
      if (postscriptName !== undefined) return fontkit.create(buffer, postscriptName);
      let font = parsed.get(buffer);
      if (!font) {
        font = fontkit.create(buffer);
        parsed.set(buffer, font);
      }
      return font;
    },
  };
}
