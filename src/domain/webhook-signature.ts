import { hmacSha256Hex, safeEqual } from "../lib/crypto";

/**
 * Webhook signatures as seed 001's verifiers check them: `sha256=<hex HMAC-SHA256(secret, raw
 * body)>`, the secret used as UTF-8 bytes (`whsec_…` whole, prefix included), the body exactly as
 * sent. No timestamp is signed: the seed's Python and Node verifiers compare one value and must
 * accept ours unchanged.
 *
 * Rotation: the header is always signed with the current secret; for 24 h after a rotation the
 * previous secret signs a second header, so a receiver that has not switched yet still verifies
 * (with the same code, reading the other header).
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

/** The signature headers of one attempt. */
export async function signatureHeaders(secrets: SigningSecrets, rawBody: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = { [SIGNATURE_HEADER]: await signPayload(secrets.current, rawBody) };
  if (secrets.previous) headers[PREVIOUS_SIGNATURE_HEADER] = await signPayload(secrets.previous, rawBody);
  return headers;
}
