import { hmacSha256Hex } from "../../lib/crypto";

/** Keyed hash of an IBAN: equal IBANs match without decrypting, and it reveals nothing alone. */
export function ibanFingerprint(encryptionKey: string, normalizedIban: string): Promise<string> {
  return hmacSha256Hex(`iban-fingerprint:${encryptionKey}`, normalizedIban);
}
