import { hmacSha256Hex } from "../../lib/crypto";
import { purposeMacHex } from "../../lib/keys";

/**
 * Keyed hash of an IBAN: equal IBANs match without decrypting, and it reveals nothing alone.
 * Written with an HKDF subkey of ENCRYPTION_KEY (`v2:` prefix). Rows written before carry the
 * legacy derivation (bare hex, HMAC keyed with a prefixed ENCRYPTION_KEY string), which cannot
 * be recomputed in SQL: lookups match both until the privacy backfill (src/cron/privacy-backfill.ts)
 * has rewritten every such row.
 */
export async function ibanFingerprint(encryptionKey: string, normalizedIban: string): Promise<string> {
  return `v2:${await purposeMacHex(encryptionKey, "iban_fingerprint", normalizedIban)}`;
}

/** The derivation used before purpose subkeys: only ever compared against, never written. */
export function legacyIbanFingerprint(encryptionKey: string, normalizedIban: string): Promise<string> {
  return hmacSha256Hex(`iban-fingerprint:${encryptionKey}`, normalizedIban);
}

/** Every fingerprint a stored copy of this IBAN may carry: the current one first. */
export function ibanFingerprints(encryptionKey: string, normalizedIban: string): Promise<[current: string, legacy: string]> {
  return Promise.all([ibanFingerprint(encryptionKey, normalizedIban), legacyIbanFingerprint(encryptionKey, normalizedIban)]);
}
