import type { Child } from "hono/jsx";
import type { Dict, Lang } from "./i18n";
import { css, palette, type Palette } from "./theme";

/** What every page knows about the request it answers. */
export interface PageCtx {
  t: Dict;
  lang: Lang;
  nonce: string;
  /** The link token when the request names a known link (forms and links are built on it). */
  token: string | null;
  /** Where the language switch points (the same page in the other language), or null. */
  langHref: string | null;
}

export interface Brand {
  name: string;
  logoUrl: string | null;
  primaryColor: string | null;
  supportEmail: string | null;
}

/** The sandbox bank and 3-D Secure screens stand for someone else's site: neutral, not the partner's. */
export const SANDBOX_BANK_BRAND: Brand = { name: "Banque Sandbox", logoUrl: null, primaryColor: "#2f4858", supportEmail: null };

function Header({ ctx, brand, testmode }: { ctx: PageCtx; brand: Brand | null; testmode: boolean }) {
  const logo = brand?.logoUrl && /^https:\/\//.test(brand.logoUrl) ? brand.logoUrl : null;
  return (
    <header>
      <div class="top">
        <div class="org">
          {logo ? <img src={logo} alt="" /> : brand ? <span class="mono" aria-hidden="true">{initial(brand.name)}</span> : null}
          <span>{brand?.name ?? ""}</span>
        </div>
        {ctx.langHref ? (
          <a href={ctx.langHref} lang={ctx.t.lang_switch_code} hreflang={ctx.t.lang_switch_code}>
            {ctx.t.lang_switch}
          </a>
        ) : null}
      </div>
      {testmode ? <p class="test">{ctx.t.test_mode}</p> : null}
    </header>
  );
}

function initial(name: string): string {
  return (name.trim()[0] ?? "·").toUpperCase();
}

function Footer({ ctx, brand }: { ctx: PageCtx; brand: Brand | null }) {
  return (
    <footer class="foot">
      <p>
        {ctx.t.secure}
        {brand ? ` · ${brand.name}` : ""}
      </p>
      {brand?.supportEmail ? (
        <p>
          {ctx.t.help} <a href={`mailto:${brand.supportEmail}`}>{brand.supportEmail}</a>
        </p>
      ) : null}
    </footer>
  );
}

/** The whole document: one <style>, no script, one <h1> (given by the page's body). */
export function renderDocument(input: { ctx: PageCtx; title: string; brand: Brand | null; testmode: boolean; body: Child }): string {
  const { ctx, title, brand, testmode, body } = input;
  const colours: Palette = palette(brand?.primaryColor);
  const doc = (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex,nofollow" />
        <link rel="icon" href="data:," />
        <title>{title}</title>
        <style nonce={ctx.nonce} dangerouslySetInnerHTML={{ __html: css(colours) }} />
      </head>
      <body>
        <div class="w">
          <Header ctx={ctx} brand={brand} testmode={testmode} />
          <main>{body}</main>
          <Footer ctx={ctx} brand={brand} />
        </div>
      </body>
    </html>
  );
  return `<!doctype html>${doc.toString()}`;
}
