import { fromBase64, hmacSha256Hex, safeEqual, toBase64 } from "../lib/crypto";

/**
 * Webhook signatures as seed 001's verifiers check them: `sha256=<hex HMAC-SHA256(secret, raw
 * body)>`, the secret used as UTF-8 bytes (`whsec_…` whole, prefix included), the body exactly as
 * sent. No timestamp is signed: the seed's Python and Node verifiers compare one value and must
 * accept ours unchanged.
 *
 * Rotation: the header is always signed with the current secret; for 24 h after a rotation the
 * previous secret signs a second header, so a receiver that has not switched yet still verifies
 * (with the same code, reading the other header).
 *
 * Alongside, every attempt carries the Standard Webhooks headers (https://www.standardwebhooks.com,
 * what the `standardwebhooks` and `svix` libraries verify unchanged): `webhook-id` (the event id,
 * the same on every attempt: the receiver's deduplication key), `webhook-timestamp` (unix seconds
 * of this attempt: the receiver's replay window) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, keyed with the base64-decoded part of the secret after `whsec_`. During
 * a rotation's window both secrets' `v1,…` are listed, space-separated, so the libraries accept
 * either secret with no second header. Secrets minted before Standard Webhooks (`whsec_` + 32
 * base62 characters) are valid base64 of 24 bytes, so they sign both schemes unchanged.
 */

export const SIGNATURE_HEADER = "X-Webhook-Signature";
export const PREVIOUS_SIGNATURE_HEADER = "X-Webhook-Signature-Previous";
export const SECRET_PREFIX = "whsec_";

export async function signPayload(secret: string, rawBody: string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, rawBody)}`;
}

/** Constant-time check of a `sha256=…` header value against the body and a secret. */
export async function verifySignature(rawBody: string, header: string | null | undefined, secret: string): Promise<boolean> {
  if (!header) return false;
  return safeEqual(await signPayload(secret, rawBody), header);
}

export interface SigningSecrets {
  current: string;
  /** The secret before the last rotation, while it still signs. */
  previous: string | null;
}

export const STANDARD_ID_HEADER = "webhook-id";
export const STANDARD_TIMESTAMP_HEADER = "webhook-timestamp";
export const STANDARD_SIGNATURE_HEADER = "webhook-signature";

/** The Standard Webhooks key: the secret's part after `whsec_`, base64-decoded (24 random bytes for ours). */
export function standardKeyBytes(secret: string): Uint8Array {
  return fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
}

/**
 * Imported Standard Webhooks keys, per isolate and secret: a queue batch signs many attempts for
 * the same few subscriptions, and an import costs as much as the signature itself. Bounded, since
 * one isolate may sign for many subscriptions over its life (the oldest import goes first).
 */
const standardKeys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();
const STANDARD_KEYS_MAX = 256;

function standardKey(secret: string): Promise<CryptoKey> {
  let key = standardKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", standardKeyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    // A failed import must not stay cached for the isolate's lifetime.
    const pending = key;
    pending.catch(() => standardKeys.get(secret) === pending && standardKeys.delete(secret));
    if (standardKeys.size >= STANDARD_KEYS_MAX) standardKeys.delete(standardKeys.keys().next().value!);
    standardKeys.set(secret, key);
  }
  return key;
}

/** `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`, one Standard Webhooks signature. */
export async function signStandard(secret: string, id: string, timestamp: number, rawBody: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await standardKey(secret), encoder.encode(`${id}.${timestamp}.${rawBody}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** What an attempt's signatures cover besides the body: the message id (the event's) and the attempt's time. */
export interface SignedAttempt {
  id: string;
  /** Unix seconds of the attempt. */
  timestamp: number;
}

/** The signature headers of one attempt: the seed's scheme and Standard Webhooks', both secrets during a rotation. */
export async function signatureHeaders(secrets: SigningSecrets, rawBody: string, attempt: SignedAttempt): Promise<Record<string, string>> {
  const headers: Record<string, string> = { [SIGNATURE_HEADER]: await signPayload(secrets.current, rawBody) };
  if (secrets.previous) headers[PREVIOUS_SIGNATURE_HEADER] = await signPayload(secrets.previous, rawBody);
  const standard = [await signStandard(secrets.current, attempt.id, attempt.timestamp, rawBody)];
  if (secrets.previous) standard.push(await signStandard(secrets.previous, attempt.id, attempt.timestamp, rawBody));
  headers[STANDARD_ID_HEADER] = attempt.id;
  headers[STANDARD_TIMESTAMP_HEADER] = String(attempt.timestamp);
  headers[STANDARD_SIGNATURE_HEADER] = standard.join(" ");
  return headers;
}
