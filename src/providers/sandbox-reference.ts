import { randomToken } from "../lib/crypto";

/**
 * A sandbox attempt's reference, `sbx-<kind>-<random>`: minted when the payer is sent to a sandbox
 * screen and carried through their browser (never a secret) until the steps are applied.
 */
export function newSandboxReference(kind: "consent" | "card"): string {
  return `sbx-${kind}-${randomToken(16)}`;
}

/** The reference when it has the sandbox's shape; null otherwise (a tampered form). */
export function sandboxReference(value: string | undefined): string | null {
  return value && /^sbx-[a-z]+-[A-Za-z0-9]{8,64}$/.test(value) ? value : null;
}
