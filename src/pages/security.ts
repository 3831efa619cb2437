import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { hmacSha256Hex, randomToken, safeEqual } from "../lib/crypto";

/**
 * CSRF protection of the payment page's forms, without JavaScript: a double submit. Every page
 * GET makes sure the browser holds a random cookie (HttpOnly, SameSite=Strict, Path=/p); every
 * form carries `csrf` = HMAC(JWT_SECRET, cookie | token | version). A POST whose csrf does not
 * match its cookie, link and intent version is refused before anything is read or moved. The
 * version binding also makes a form single-use: once the intent has moved on, the Durable
 * Object refuses the version (`stale_form`).
 */

export const CSRF_COOKIE = "pp_csrf";
const COOKIE_VALUE = /^[A-Za-z0-9]{32}$/;

/** The browser's CSRF cookie, set now if it has none (or a malformed one). */
export function ensureCsrfCookie(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && COOKIE_VALUE.test(existing)) return existing;
  const value = randomToken(32);
  setCookie(c, CSRF_COOKIE, value, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/p",
    secure: new URL(c.req.url).protocol === "https:",
  });
  return value;
}

export function formMac(secret: string, cookie: string, token: string, version: number): Promise<string> {
  return hmacSha256Hex(secret, `payment-page-csrf|${cookie}|${token}|${version}`);
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
  const cookie = getCookie(c, CSRF_COOKIE);
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
  return `${last4}.${await hmacSha256Hex(secret, `payment-page-card|${token}|${version}|${last4}`)}`;
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
