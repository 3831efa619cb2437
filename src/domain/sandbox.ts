/**
 * The seed's documented test data (seed 001 "Environnements"). These IBANs fail mod-97, yet
 * partners' test suites use them verbatim, so test mode accepts them as magic values; live
 * mode refuses them like any other invalid IBAN.
 */
export const SANDBOX_IBANS = {
  FR7612345678901234567890123: { outcome: "succeeds" },
  FR7612345678901234567890124: { outcome: "fails", failure_code: "insufficient_funds" },
  FR7612345678901234567890125: { outcome: "fails", failure_code: "account_blocked" },
} as const;

export type SandboxIban = keyof typeof SANDBOX_IBANS;

export function isSandboxIban(normalizedIban: string): normalizedIban is SandboxIban {
  return Object.hasOwn(SANDBOX_IBANS, normalizedIban);
}
