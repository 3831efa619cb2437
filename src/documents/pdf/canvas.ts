// A small flow-layout layer over pdf-lib: pages with a cursor that moves down, text that wraps,
// boxes and rules, and a page break that repeats what a continued table needs. Every string goes
// through `clean()`: PDF/A forbids showing the .notdef glyph, so a character the embedded font
// lacks is replaced rather than drawn as an empty box.
import { concatTransformationMatrix, popGraphicsState, pushGraphicsState, type PDFDocument, type PDFFont, type PDFPage, type RGB } from "@cantoo/pdf-lib";
import { PAGE, type Theme } from "./theme";

export type Fonts = { regular: PDFFont; bold: PDFFont };

export type TextStyle = {
  size?: number;
  bold?: boolean;
  color?: RGB;
  align?: "left" | "right" | "center";
};

const DEFAULT_SIZE = 9;

export class Canvas {
  readonly doc: PDFDocument;
  readonly fonts: Fonts;
  readonly theme: Theme;
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  /** Baseline cursor: the top of the next thing drawn, in points from the bottom of the page. */
  y = 0;
  /** Called after a page break, to draw what a continued page starts with (e.g. the table header). */
  onPageBreak: ((canvas: Canvas) => void) | null = null;
  private readonly charsets = new Map<PDFFont, Set<number>>();
  private readonly widths = new Map<string, number>();

  constructor(doc: PDFDocument, fonts: Fonts, theme: Theme) {
    this.doc = doc;
    this.fonts = fonts;
    this.theme = theme;
    this.addPage();
  }

  get left(): number {
    return PAGE.marginX;
  }
  get right(): number {
    return PAGE.width - PAGE.marginX;
  }
  get bottom(): number {
    return PAGE.marginBottom;
  }

  addPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.y = PAGE.height - PAGE.marginTop;
  }

  /** Starts a new page when fewer than `height` points are left above the footer. */
  ensure(height: number): void {
    if (this.y - height >= this.bottom) return;
    this.addPage();
    this.onPageBreak?.(this);
  }

  font(bold?: boolean): PDFFont {
    return bold ? this.fonts.bold : this.fonts.regular;
  }

  /**
   * NFC; runs of whitespace made one space (a lone no-break space is kept); invisible characters
   * (controls, zero-width and format characters, variation selectors) dropped; any other character
   * the font cannot show replaced by "?".
   */
  clean(text: string, bold?: boolean): string {
    const font = this.font(bold);
    let set = this.charsets.get(font);
    if (!set) {
      set = new Set(font.getCharacterSet());
      this.charsets.set(font, set);
    }
    let out = "";
    const spaced = text.normalize("NFC").replace(/[\s\u0085]+/gu, (ws) => (ws.length === 1 && (ws === "\u00a0" || ws === "\u202f") ? ws : " "));
    for (const ch of spaced) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      if (cp >= 0x20 && cp < 0x7f) {
        out += ch;
        continue;
      }
      if (/[\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}]/u.test(ch)) continue;
      if (set.has(cp)) out += ch;
      else if (!/\p{Mn}/u.test(ch)) out += "?";
    }
    return out;
  }

  /** Width of already-cleaned text at 1 pt, memoized: OpenType layout is most of a render's CPU. */
  private advance(s: string, bold?: boolean): number {
    const key = `${bold ? "b" : "r"}${s}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      w = this.font(bold).widthOfTextAtSize(s, 1000) / 1000;
      this.widths.set(key, w);
    }
    return w;
  }

  width(text: string, style: TextStyle = {}): number {
    return this.advance(this.clean(text, style.bold), style.bold) * (style.size ?? DEFAULT_SIZE);
  }

  /** Draws one line of text with its baseline at `y`; `x` is its left, right or centre per `align`. */
  text(text: string, x: number, y: number, style: TextStyle = {}): void {
    const size = style.size ?? DEFAULT_SIZE;
    const font = this.font(style.bold);
    const s = this.clean(text, style.bold);
    if (s === "") return;
    const w = style.align === "right" || style.align === "center" ? this.advance(s, style.bold) * size : 0;
    const left = style.align === "right" ? x - w : style.align === "center" ? x - w / 2 : x;
    this.page.drawText(s, { x: left, y, size, font, color: style.color ?? this.theme.ink });
  }

  /**
   * Splits text into lines no wider than `maxWidth`: at spaces, and inside a word only when the word
   * alone is wider than the column (a URL, an IBAN without spaces).
   */
  wrap(text: string, maxWidth: number, style: TextStyle = {}): string[] {
    const size = style.size ?? DEFAULT_SIZE;
    const bold = style.bold;
    // Widths add up word by word (a space ends any kerning pair), so each word is measured once.
    const space = this.advance(" ", bold) * size;
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      const words = this.clean(paragraph, bold).split(" ").filter((w) => w !== "");
      let line = "";
      let lineWidth = 0;
      for (const word of words) {
        const wordWidth = this.advance(word, bold) * size;
        if (line && lineWidth + space + wordWidth <= maxWidth) {
          line = `${line} ${word}`;
          lineWidth += space + wordWidth;
          continue;
        }
        if (line) lines.push(line);
        line = "";
        lineWidth = 0;
        if (wordWidth <= maxWidth) {
          line = word;
          lineWidth = wordWidth;
          continue;
        }
        // Cut by characters, adding their widths (linear in the word's length, whatever its length).
        let piece = "";
        let pieceWidth = 0;
        for (const ch of word) {
          const w = this.advance(ch, bold) * size;
          if (piece && pieceWidth + w > maxWidth) {
            lines.push(piece);
            piece = "";
            pieceWidth = 0;
          }
          piece += ch;
          pieceWidth += w;
        }
        line = piece;
        lineWidth = pieceWidth;
      }
      if (line || lines.length === 0) lines.push(line);
    }
    return lines;
  }

  /** Draws wrapped lines from `y` downwards; returns the height used. */
  paragraph(lines: readonly string[], x: number, y: number, style: TextStyle & { leading?: number } = {}): number {
    const leading = style.leading ?? (style.size ?? DEFAULT_SIZE) * 1.3;
    lines.forEach((line, i) => this.text(line, x, y - (style.size ?? DEFAULT_SIZE) - i * leading, style));
    return lines.length * leading;
  }

  rect(x: number, y: number, width: number, height: number, style: { fill?: RGB; stroke?: RGB; lineWidth?: number }): void {
    this.page.drawRectangle({
      x,
      y,
      width,
      height,
      ...(style.fill ? { color: style.fill } : {}),
      ...(style.stroke ? { borderColor: style.stroke, borderWidth: style.lineWidth ?? 0.6 } : {}),
    });
  }

  rule(x1: number, y1: number, x2: number, y2: number, color: RGB = this.theme.rule, thickness = 0.6): void {
    this.page.drawLine({ start: { x: x1, y: y1 }, end: { x: x2, y: y2 }, thickness, color });
  }

  /** Runs `draw` on every page made so far (footers, the draft watermark). */
  eachPage(draw: (index: number, count: number) => void): void {
    this.pages.forEach((page, i) => {
      this.page = page;
      draw(i, this.pages.length);
    });
  }

  /**
   * Large diagonal text across the page, centred, over the content and translucent so the content
   * stays readable through it (PDF/A-2 and later allow transparency; the document's sRGB output
   * intent is its blending space).
   *
   * The rotation is written as an exact matrix (cos 0.6, sin 0.8: about 53°, near the A4 diagonal)
   * instead of an angle: Math.cos and Math.sin may differ in the last bit between JavaScript
   * engines, and these bytes must be the same in Node and in workerd (the archive hashes them).
   */
  diagonal(text: string, color: RGB, opacity: number): void {
    const size = 96;
    const s = this.clean(text, true);
    const w = this.fonts.bold.widthOfTextAtSize(s, size);
    const capHeight = size * 0.73;
    const cos = 0.6;
    const sin = 0.8;
    // Start half the width back along the baseline and half the cap height down across it, so
    // the word's centre is the page's.
    const x = PAGE.width / 2 - (w / 2) * cos + (capHeight / 2) * sin;
    const y = PAGE.height / 2 - (w / 2) * sin - (capHeight / 2) * cos;
    this.page.pushOperators(pushGraphicsState(), concatTransformationMatrix(cos, sin, -sin, cos, x, y));
    this.page.drawText(s, { x: 0, y: 0, size, font: this.fonts.bold, color, opacity });
    this.page.pushOperators(popGraphicsState());
  }
}
