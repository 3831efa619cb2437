import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hmacSha256Hex, toHex } from "../../src/lib/crypto";
import { KEY_PURPOSES, purposeMacHex, subkeyBits, type KeyPurpose } from "../../src/lib/keys";
import { formMac, signCard } from "../../src/pages/security";
import { ibanFingerprint, legacyIbanFingerprint } from "../../src/services/bank-accounts/fingerprint";
import { legacyPayerEmailHash, payerEmailHash } from "../../src/services/invoices/payer";

const PURPOSES = Object.keys(KEY_PURPOSES) as KeyPurpose[];

describe("purpose subkeys (HKDF-SHA-256)", () => {
  it("differ per purpose and per root, never equal a root, and are stable", async () => {
    const roots = [env.JWT_SECRET, env.ENCRYPTION_KEY];
    const keys = new Map<string, string>();
    for (const root of roots) {
      for (const purpose of PURPOSES) {
        const bits = toHex(await subkeyBits(root, purpose));
        expect(bits).toMatch(/^[0-9a-f]{64}$/);
        expect(toHex(await subkeyBits(root, purpose))).toBe(bits);
        keys.set(`${purpose}@${root}`, bits);
      }
    }
    expect(new Set(keys.values()).size).toBe(roots.length * PURPOSES.length);
    for (const root of roots) expect([...keys.values()]).not.toContain(toHex(new TextEncoder().encode(root)));
    expect(new Set(Object.values(KEY_PURPOSES)).size).toBe(PURPOSES.length);
  });

  it("the same message MACs differently under each purpose, and never as under the root secret itself", async () => {
    const message = "payment-page-csrf|cookie|token|1";
    const macs = await Promise.all(PURPOSES.map((p) => purposeMacHex(env.JWT_SECRET, p, message)));
    expect(new Set(macs).size).toBe(PURPOSES.length);
    expect(macs).not.toContain(await hmacSha256Hex(env.JWT_SECRET, message));
  });

  it("the payment page's CSRF and 3-D Secure card MACs no longer use JWT_SECRET directly, and differ from each other", async () => {
    const csrf = await formMac(env.JWT_SECRET, "c".repeat(32), "tok", 3);
    expect(csrf).toBe(await purposeMacHex(env.JWT_SECRET, "payment_page_csrf", `payment-page-csrf|${"c".repeat(32)}|tok|3`));
    expect(csrf).not.toBe(await hmacSha256Hex(env.JWT_SECRET, `payment-page-csrf|${"c".repeat(32)}|tok|3`));
    const card = await signCard(env.JWT_SECRET, "tok", 3, "3220");
    expect(card).toBe(`3220.${await purposeMacHex(env.JWT_SECRET, "payment_page_card", "payment-page-card|tok|3|3220")}`);
    expect(card.split(".")[1]).not.toBe(await hmacSha256Hex(env.JWT_SECRET, "payment-page-card|tok|3|3220"));
  });

  it("fingerprints and email hashes are versioned (v2:) and differ from the legacy derivation they replace", async () => {
    const iban = "FR7630006000011234567890189";
    const current = await ibanFingerprint(env.ENCRYPTION_KEY, iban);
    expect(current).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(current.slice(3)).not.toBe(await legacyIbanFingerprint(env.ENCRYPTION_KEY, iban));
    const email = await payerEmailHash(env.ENCRYPTION_KEY, " Jean.Dupont@Example.com ");
    expect(email).toBe(await payerEmailHash(env.ENCRYPTION_KEY, "jean.dupont@example.com"));
    expect(email).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(email.slice(3)).not.toBe(await legacyPayerEmailHash(env.ENCRYPTION_KEY, "jean.dupont@example.com"));
    // The same input under two purposes does not match: an email hash is no IBAN fingerprint.
    expect((await ibanFingerprint(env.ENCRYPTION_KEY, "x")).slice(3)).not.toBe((await payerEmailHash(env.ENCRYPTION_KEY, "x")).slice(3));
  });
});
