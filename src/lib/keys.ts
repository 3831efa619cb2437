/**
 * Purpose-specific subkeys, derived with HKDF-SHA-256 (RFC 5869, WebCrypto) from the root secrets.
 * One root secret never keys two different MACs directly: a MAC of one purpose (a payment-page
 * CSRF token, an IBAN fingerprint) then says nothing about any other, and a purpose can be
 * re-keyed by bumping its `info` alone.
 *
 * Roots: `JWT_SECRET` for the payment page's MACs (short-lived: they simply switched),
 * `ENCRYPTION_KEY` for the keyed hashes of data at rest (IBAN fingerprints, payer email hashes,
 * Idempotency-Key request fingerprints:
 * rows written before keep matching through their legacy derivation, see bank-accounts/fingerprint.ts).
 */

import { toHex } from "./crypto";

const encoder = new TextEncoder();

/** The HKDF `info` of each purpose: distinct, versioned, never reused for anything else. */
export const KEY_PURPOSES = {
  payment_page_csrf: "paiements-api/v1/payment-page-csrf",
  payment_page_card: "paiements-api/v1/payment-page-card",
  iban_fingerprint: "paiements-api/v1/iban-fingerprint",
  payer_email_hash: "paiements-api/v1/payer-email-hash",
  idempotency_fingerprint: "paiements-api/v1/idempotency-fingerprint",
  invoice_pay_url: "paiements-api/v1/invoice-pay-url",
  message_recipient_hash: "paiements-api/v1/message-recipient-hash",
  request_payer_name_hash: "paiements-api/v1/request-payer-name-hash",
  audit_ip_hash: "paiements-api/v1/audit-ip-hash",
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;

/** A fixed, public salt (RFC 5869 §3.1: optional; the roots are already uniformly random secrets). */
const SALT = encoder.encode("paiements-api hkdf salt v1");

/** Derived keys per isolate: deriving costs an import and a derivation; a MAC then costs one sign. */
const derived = new Map<string, Promise<CryptoKey>>();

/** The 256-bit subkey material of a purpose (exposed for tests that check purposes never share a key). */
export async function subkeyBits(root: string, purpose: KeyPurpose): Promise<ArrayBuffer> {
  const ikm = await crypto.subtle.importKey("raw", encoder.encode(root), "HKDF", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: SALT, info: encoder.encode(KEY_PURPOSES[purpose]) }, ikm, 256);
}

function subkey(root: string, purpose: KeyPurpose): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${root}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = subkeyBits(root, purpose).then((bits) => crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    // A failed derivation must not stay cached for the isolate's lifetime.
    key.catch(() => derived.delete(cacheKey));
    derived.set(cacheKey, key);
  }
  return key;
}

/** HMAC-SHA-256 (hex) of `message` under the subkey of `purpose` derived from `root`. */
export async function purposeMacHex(root: string, purpose: KeyPurpose, message: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await subkey(root, purpose), encoder.encode(message)));
}
