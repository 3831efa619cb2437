import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { randomToken, safeEqual } from "../lib/crypto";
import { purposeMacHex } from "../lib/keys";
import { NO_SECURE_HEADERS } from "../middleware/security-headers";
import type { PageContext, PageEnv } from "./env";

/**
 * CSRF protection of the payment page's forms, without JavaScript: a double submit. Every page
 * GET makes sure the browser holds a random cookie (`__Host-`, HttpOnly, SameSite=Strict); every
 * form carries `csrf` = HMAC(K_csrf, cookie | token | version), K_csrf an HKDF subkey of JWT_SECRET
 * (lib/keys.ts: never the token-signing key itself). A POST whose csrf does not
 * match its cookie, link and intent version is refused before anything is read or moved. The
 * version binding also makes a form single-use: once the intent has moved on, the Durable
 * Object refuses the version (`stale_form`).
 */

export const CSRF_COOKIE = "pp_csrf";
const COOKIE_VALUE = /^[A-Za-z0-9]{32}$/;

/**
 * `__Host-pp_csrf` (Secure, Path=/, no Domain), so that no sibling subdomain or plain-http page
 * can plant or shadow it (the double submit is only as good as the cookie's integrity). The one
 * exception is a worker in local development served over plain http, where some browsers
 * (Safari, any browser on a LAN address) refuse Secure cookies: there it is a bare `pp_csrf`.
 */
function csrfCookiePrefix(c: Context): "host" | undefined {
  const local = (c.env as { ENVIRONMENT?: string } | undefined)?.ENVIRONMENT === "development";
  return !local || new URL(c.req.url).protocol === "https:" ? "host" : undefined;
}

function readCsrfCookie(c: Context): string | undefined {
  const prefix = csrfCookiePrefix(c);
  return prefix ? getCookie(c, CSRF_COOKIE, prefix) : getCookie(c, CSRF_COOKIE);
}

/** The browser's CSRF cookie, set now if it has none (or a malformed one). */
export function ensureCsrfCookie(c: Context): string {
  const existing = readCsrfCookie(c);
  if (existing && COOKIE_VALUE.test(existing)) return existing;
  const value = randomToken(32);
  const prefix = csrfCookiePrefix(c);
  setCookie(c, CSRF_COOKIE, value, { httpOnly: true, sameSite: "Strict", path: "/", secure: prefix === "host", ...(prefix ? { prefix } : {}) });
  return value;
}

export function formMac(secret: string, cookie: string, token: string, version: number): Promise<string> {
  return purposeMacHex(secret, "payment_page_csrf", `payment-page-csrf|${cookie}|${token}|${version}`);
}

export type FormFields = Record<string, string>;

/** The string fields of a urlencoded or multipart form body (files are ignored). */
export async function readForm(c: Context): Promise<FormFields> {
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    return {};
  }
  const out: FormFields = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The form's intent version when its csrf field is the MAC of the browser's cookie, this link and that version; null otherwise. */
export async function verifyForm(c: Context, secret: string, token: string, form: FormFields): Promise<number | null> {
  const cookie = readCsrfCookie(c);
  const version = Number(form.version);
  const given = form.csrf ?? "";
  if (!cookie || !COOKIE_VALUE.test(cookie) || !/^\d{1,9}$/.test(form.version ?? "") || !/^[0-9a-f]{64}$/.test(given)) return null;
  return (await safeEqual(given, await formMac(secret, cookie, token, version))) ? version : null;
}

/**
 * The card between the card form and the 3-D Secure challenge: only its last four digits,
 * signed so that the challenge page cannot be pointed at another card, link or attempt.
 */
export async function signCard(secret: string, token: string, version: number, last4: string): Promise<string> {
  return `${last4}.${await purposeMacHex(secret, "payment_page_card", `payment-page-card|${token}|${version}|${last4}`)}`;
}

export async function readSignedCard(secret: string, token: string, version: number, value: string | undefined): Promise<string | null> {
  const m = /^(\d{4})\.([0-9a-f]{64})$/.exec(value ?? "");
  if (!m) return null;
  return (await safeEqual(value!, await signCard(secret, token, version, m[1]!))) ? m[1]! : null;
}

/** A document: the strictest CSP that still lets the one nonce'd <style> and the partner's https logo through, no framing, no referrer (the token is in the URL). */
const documentHeaders = secureHeaders({
  ...NO_SECURE_HEADERS,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: [(c) => `'nonce-${(c as PageContext).get("nonce")}'`],
    imgSrc: ["'self'", "https:", "data:"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  xContentTypeOptions: true,
  xFrameOptions: "DENY",
  crossOriginOpenerPolicy: "same-origin",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
});

/** The QR image runs nothing and is framed by nobody; partner sites embed it as an image. */
const imageHeaders = secureHeaders({
  ...NO_SECURE_HEADERS,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xContentTypeOptions: true,
});

/**
 * Every page response (hono/secure-headers): a fresh style nonce for the screen to render with,
 * then, once it has answered, the document's headers or the QR image's. The response's type
 * decides, not the route: the QR code's 404 and 410 are pages. `noStore`: a payment page shows a
 * link's live state and a form bound to one intent version, so no cache may keep it; a public
 * page (the changelog) keeps the Cache-Control its route chose.
 */
function pageHeaders({ noStore }: { noStore: boolean }) {
  return createMiddleware<PageEnv>(async (c, next) => {
    // Letters and digits like every token we mint (hono's NONCE helper is base64).
    c.set("nonce", randomToken(22));
    await next();
    const image = c.res.headers.get("content-type")?.startsWith("image/svg+xml") ?? false;
    await (image ? imageHeaders : documentHeaders)(c, async () => {});
    if (noStore && !image) c.res.headers.set("Cache-Control", "no-store");
  });
}

/** The payment pages (/p). */
export const pageSecurityHeaders = pageHeaders({ noStore: true });

/** A page anyone may read and cache, outside /p: GET /changelog. */
export const publicPageSecurityHeaders = pageHeaders({ noStore: false });
