import { Scalar } from "@scalar/hono-api-reference";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { randomToken } from "../../lib/crypto";
import { apiServers } from "./servers";

/**
 * /docs's Content-Security-Policy. The page is ours (the Scalar bundle from public/docs, the
 * document from /v1/openapi.json) and talks to this origin only: its scripts by nonce, its requests
 * ("Test Request" included) to 'self' and the other servers it offers (PUBLIC_BASE_URL). Scalar injects its CSS at run time and sets inline styles:
 * style-src needs 'unsafe-inline' (styles cannot run code; the nonce is left off styles, as it would
 * disable 'unsafe-inline'). Fonts and images from this origin or inline data only.
 */
export function docsCsp(nonce: string, otherServers: string[] = []): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data: blob:",
    // A malformed PUBLIC_BASE_URL is left out rather than failing the page.
    ["connect-src 'self'", ...otherServers.filter((url) => URL.canParse(url)).map((url) => new URL(url).origin)].join(" "),
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The interactive reference (Scalar), served from our origin. Scalar's defaults reach out to third
 * parties and sell its own services: its fonts from fonts.scalar.com (a payer-facing platform does not
 * leak its users to a font CDN, and it fails offline), telemetry, the "Ask AI" agent, "Generate MCP"
 * and the developer tools' "Deploy" button. All off; the "Test Request" targets the request's origin.
 */
export async function docsPage(c: Context<AppEnv>) {
  const nonce = randomToken(22);
  const servers = apiServers(c);
  c.header("Content-Security-Policy", docsCsp(nonce, servers.slice(1).map((s) => s.url)));
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
  const render = Scalar({
    url: "/v1/openapi.json",
    pageTitle: "Paiements API — reference",
    cdn: "/docs/scalar.js",
    nonce,
    servers,
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: "never",
    // The page is read by people integrating the API: the system font stack our pages use.
    customCss: `.scalar-app, .scalar-api-reference { --scalar-font: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }`,
  });
  // Scalar's middleware is typed for a bare Hono context; it only renders HTML with it.
  return (await render(c as unknown as Context, async () => {})) as Response;
}
