import type { Context } from "hono";
import type { AppEnv } from "../../env";

/**
 * The servers the OpenAPI document and /docs offer, first the one the request reached: under
 * `npm run dev` on another port, or a deployed worker on its own hostname, that is where a
 * "Test Request" must go. PUBLIC_BASE_URL (the payer-facing base of links, QR codes and emails,
 * which outlive any request) follows when it differs: behind a proxy that rewrites the Host, the
 * worker sees its internal name and PUBLIC_BASE_URL is the public one.
 */
export function apiServers(c: Context<AppEnv>): { url: string; description: string }[] {
  const origin = new URL(c.req.url).origin;
  const servers = [{ url: origin, description: "This server (the request's origin)" }];
  // Re-serialized (URL escapes what a script or a header must not hold), and only an http(s) one.
  const parsed = URL.canParse(c.env.PUBLIC_BASE_URL ?? "") ? new URL(c.env.PUBLIC_BASE_URL) : null;
  const configured = parsed && /^https?:$/.test(parsed.protocol) ? `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, "") : null;
  if (configured && configured !== origin) servers.push({ url: configured, description: "PUBLIC_BASE_URL (links, QR codes and emails)" });
  return servers;
}
