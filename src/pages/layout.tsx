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

/**
 * Any page we serve, as a string: one <style>, carrying the response's nonce (the only style the
 * CSP of pageSecurityHeaders lets in), no script. `noindex` for pages a search engine must not
 * keep (a payment page's URL holds its link's token).
 */
export function renderShell(input: { lang: string; nonce: string; title: string; css: string; noindex: boolean; body: Child }): string {
  const doc = (
    <html lang={input.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {input.noindex ? <meta name="robots" content="noindex,nofollow" /> : null}
        <link rel="icon" href="data:," />
        <title>{input.title}</title>
        <style nonce={input.nonce} dangerouslySetInnerHTML={{ __html: input.css }} />
      </head>
      <body>{input.body}</body>
    </html>
  );
  return `<!doctype html>${doc.toString()}`;
}

/** A payment page: the partner's header and footer around the screen, one <h1> (given by the page's body). */
export function renderDocument(input: { ctx: PageCtx; title: string; brand: Brand | null; testmode: boolean; body: Child }): string {
  const { ctx, title, brand, testmode, body } = input;
  const colours: Palette = palette(brand?.primaryColor);
  return renderShell({
    lang: ctx.lang,
    nonce: ctx.nonce,
    title,
    css: css(colours),
    noindex: true,
    body: (
      <div class="w">
        <Header ctx={ctx} brand={brand} testmode={testmode} />
        <main>{body}</main>
        <Footer ctx={ctx} brand={brand} />
      </div>
    ),
  });
}
