/**
 * Every address of the hosted payment page, built here only: the page itself (payment_page_url,
 * qr_code_data), its QR code, its screens and forms (same-origin paths, so redirects never depend
 * on PUBLIC_BASE_URL matching the host), and the partner's return_url with the outcome.
 */

export type PageScreen = "" | "/pay" | "/bank" | "/card" | "/card/3ds" | "/qr.svg";

/** `/p/{token}{screen}?{query}`; undefined query values are left out, the others kept in order. */
export function pagePath(token: string, screen: PageScreen = "", query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const qs = search.toString();
  return `/p/${token}${screen}${qs ? `?${qs}` : ""}`;
}

/** The page's absolute address under PUBLIC_BASE_URL. */
export function pageUrl(baseUrl: string, token: string, screen: PageScreen = ""): string {
  return `${baseUrl.replace(/\/$/, "")}${pagePath(token, screen)}`;
}

/** The addresses a payment link shows the partner. The QR code encodes the page URL itself. */
export function paymentLinkUrls(baseUrl: string, token: string) {
  const page = pageUrl(baseUrl, token);
  return { payment_page_url: page, qr_code_data: page, qr_code_svg_url: pageUrl(baseUrl, token, "/qr.svg") };
}

/** Adds query parameters to an absolute URL or to a path (kept a path: same-origin redirects stay relative). */
export function withQuery(url: string, params: Record<string, string>): string {
  const relative = url.startsWith("/");
  const u = new URL(url, "http://relative.invalid");
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return relative ? `${u.pathname}${u.search}` : u.toString();
}

export type ReturnOutcome = "succeeded" | "failed" | "canceled";

/**
 * The partner's return_url with the outcome appended: `payment_intent` and `status` added to its
 * query, its own parameters (and fragment) kept byte for byte. Only http(s) URLs are linked.
 */
export function returnHref(returnUrl: string | null, intentId: string, outcome: ReturnOutcome): string | null {
  const url = returnUrl ? URL.parse(returnUrl) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return null;
  const added = `payment_intent=${encodeURIComponent(intentId)}&status=${encodeURIComponent(outcome)}`;
  if (url.searchParams.has("payment_intent") || url.searchParams.has("status")) {
    url.searchParams.set("payment_intent", intentId);
    url.searchParams.set("status", outcome);
    return url.toString();
  }
  const hash = url.hash;
  url.hash = "";
  const base = url.toString();
  return `${base}${url.search ? "&" : base.endsWith("?") ? "" : "?"}${added}${hash}`;
}
