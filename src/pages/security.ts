import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomToken, safeEqual } from "../lib/crypto";
import { purposeMacHex } from "../lib/keys";

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

/** A provider's attempt reference carried through the sandbox screens (never a secret). */
export function providerReference(value: string | undefined): string | null {
  return value && /^sbx-[a-z]+-[A-Za-z0-9]{8,64}$/.test(value) ? value : null;
}

export function newNonce(): string {
  return randomToken(22);
}

/**
 * Headers of every page response: the strictest CSP that still lets the one nonce'd <style>
 * and the partner's https logo through, no framing, no referrer (the token is in the URL).
 */
export function pageSecurityHeaders(headers: Headers, nonce: string): void {
  headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  headers.set("Cache-Control", "no-store");
}
