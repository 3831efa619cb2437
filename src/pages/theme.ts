/**
 * The partner's colour on the page, kept accessible (WCAG 2.1 AA): the button text is black or
 * white, whichever contrasts more with the partner's `primary_color`; a colour that reaches
 * 4.5:1 with neither is replaced by a safe default. The colour is used for text (links) only
 * where it reaches 4.5:1 on the page, and as a button edge only where it reaches 3:1.
 */

const HEX = /^#[0-9a-fA-F]{6}$/;
export const DEFAULT_BRAND = "#1d4ed8";
const INK = "#1b2230";
const PAGE = "#f3f5f9";

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export interface Palette {
  /** Button background. */
  brand: string;
  /** Button text: black or white. */
  onBrand: string;
  /** Button border: the brand where it stands out from the page, ink otherwise. */
  edge: string;
  /** Links and accents drawn as text on the page. */
  accent: string;
}

export function palette(primary: string | null | undefined): Palette {
  let brand = primary && HEX.test(primary) ? primary.toLowerCase() : DEFAULT_BRAND;
  const white = contrastRatio(brand, "#ffffff");
  const black = contrastRatio(brand, "#000000");
  let onBrand = white >= black ? "#ffffff" : "#000000";
  if (Math.max(white, black) < 4.5) {
    brand = DEFAULT_BRAND;
    onBrand = "#ffffff";
  }
  return {
    brand,
    onBrand,
    edge: contrastRatio(brand, PAGE) >= 3 ? brand : INK,
    accent: contrastRatio(brand, PAGE) >= 4.5 ? brand : INK,
  };
}

/**
 * All the page's CSS, inlined in one nonce'd <style> (no external request). Mobile first:
 * one column, large tap targets (≥ 48 px), visible focus, motion only when the payer allows it.
 */
export function css(p: Palette): string {
  return `:root{--b:${p.brand};--bt:${p.onBrand};--be:${p.edge};--a:${p.accent};--ink:${INK};--mute:#4f5868;--line:#d5dae3}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:${PAGE};color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.w{max-width:30rem;margin:0 auto;padding:0 1rem 2rem}
.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:1rem 0}
.org{display:flex;align-items:center;gap:.6rem;font-weight:650;font-size:1.05rem;min-width:0;overflow-wrap:anywhere}
.org img{max-height:2.5rem;max-width:7rem;object-fit:contain}
.mono{display:grid;place-items:center;flex:none;width:2.25rem;height:2.25rem;border-radius:50%;background:var(--b);color:var(--bt);font-weight:700}
a{color:var(--a);text-underline-offset:.15em}
.top a{padding:.6rem .2rem;font-size:.95rem}
.test{margin:0 0 1rem;padding:.55rem .8rem;border-radius:8px;background:#fff4d6;border:1px solid #e7c66b;color:#5c4300;font-size:.9rem}
.late{margin:0 0 .75rem;padding:.55rem .8rem;border-radius:8px;background:#fdecec;color:#8a1c1c;font-weight:600}
.hold{margin:0 0 .75rem;padding:.6rem .8rem;border-radius:8px;background:#eef3fb;border:1px solid #b9c8e2;color:var(--ink)}
.hold .hint{margin:0;color:#3d4656}
.desc{margin:0 0 .75rem;font-size:1.05rem;overflow-wrap:anywhere;white-space:pre-line}
.card{background:#fff;border:1px solid var(--line);border-radius:14px;padding:1.25rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(20,30,50,.06)}
h1{font-size:1.3rem;line-height:1.3;margin:0 0 .75rem}
h2{font-size:1.05rem;margin:0 0 .75rem}
p{margin:0 0 .75rem}
.lbl{margin:0;color:var(--mute);font-size:.9rem}
.amt{margin:0 0 .75rem;font-size:2.1rem;font-weight:700;letter-spacing:-.01em;font-variant-numeric:tabular-nums}
dl{margin:0 0 1rem;padding-top:.6rem;border-top:1px solid var(--line)}
.card>:last-child{margin-bottom:0}
.r{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:0 1rem;padding:.2rem 0}
dt{color:var(--mute)}
dd{margin:0 0 0 auto;text-align:right;font-weight:550;overflow-wrap:anywhere}
dd.sm{font-size:.8rem;font-weight:500}
.sp{margin-top:1rem}
fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}
legend{font-weight:650;margin:0 0 .5rem;padding:0}
.opt{display:flex;align-items:center;gap:.8rem;min-height:3.5rem;padding:.75rem 1rem;margin:0 0 .6rem;border:1px solid #7c8597;border-radius:12px;background:#fff;cursor:pointer}
.opt:has(input:checked){border-color:var(--be);box-shadow:inset 0 0 0 1px var(--be);background:#f7f9fd}
.opt input{flex:none;width:1.3rem;height:1.3rem;margin:0;accent-color:var(--b)}
.opt b{display:block;font-weight:600}
.opt small,.hint{display:block;color:var(--mute);font-size:.875rem}
label.f{display:block;font-weight:600;margin:0 0 .3rem}
.fld{margin:0 0 1rem}
input.t{display:block;width:100%;min-height:3rem;padding:.7rem .8rem;border:1px solid #737c8d;border-radius:10px;font:inherit;font-size:1.1rem;background:#fff;color:var(--ink)}
input.t[aria-invalid=true]{border:2px solid #b42318}
.row{display:grid;grid-template-columns:1fr 1fr;gap:.75rem;align-items:end}
.err{color:#b42318;font-weight:600;margin:.35rem 0 0}
.btn{display:block;width:100%;min-height:3.1rem;padding:.8rem 1rem;margin:0 0 .6rem;border:2px solid var(--be);border-radius:12px;background:var(--b);color:var(--bt);font:inherit;font-weight:650;font-size:1.05rem;text-align:center;text-decoration:none;cursor:pointer}
.btn.s{background:#fff;color:var(--ink);border-color:#737c8d}
:focus-visible{outline:3px solid var(--ink);outline-offset:3px}
.st{display:flex;gap:.8rem;align-items:flex-start;padding:1rem;border-radius:12px;margin:0 0 1rem}
.st svg{flex:none;width:1.75rem;height:1.75rem}
.st p{margin:.15rem 0 0}
.ok{background:#e7f6ec;color:#14532d}
.ko{background:#fdecec;color:#8a1c1c}
.wip{background:#eaf1fd;color:#1e3a6e}
.off{background:#eef0f4;color:#343b48}
.spin{animation:r 1s linear infinite;transform-origin:50% 50%}
@keyframes r{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spin{animation:none}}
.bank{border-top:6px solid #2f4858}
.foot{color:var(--mute);font-size:.875rem;text-align:center}
.foot p{margin:.25rem 0}`;
}
