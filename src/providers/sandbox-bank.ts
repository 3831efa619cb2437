import { SANDBOX_IBANS, isSandboxIban } from "../domain/sandbox";
import { randomToken } from "../lib/crypto";
import { pagePath } from "../lib/page-urls";
import { newSandboxReference } from "./sandbox-reference";
import { sandboxRefund } from "./sandbox-refund";
import type { PaymentProvider, ProviderStep } from "./types";

/** The one-time code the sandbox bank's strong authentication accepts (shown on its screen). */
export const SANDBOX_SCA_CODE = "123456";

/** Timeline of a sandbox transfer: authorized, then settled or rejected, within seconds. */
export const SANDBOX_BANK_TIMING = { authorizedAfterMs: 1000, settledAfterMs: 2500 } as const;

/** What the payer is told when the sandbox bank rejects a transfer, by failure code. */
export const SANDBOX_BANK_FAILURES = {
  insufficient_funds: "Fonds insuffisants sur le compte du payeur.",
  account_blocked: "Le compte du payeur est bloqué.",
} as const;

/**
 * The sandbox open-banking provider, shaped like Aiia's payment initiation: the payer is sent
 * to a bank consent screen, picks an account, passes strong authentication, and the transfer
 * goes initiated → authorized → settled | rejected. The seed's test IBANs decide the outcome:
 * …123 settles, …124 is rejected (insufficient funds), …125 is rejected (account blocked);
 * any other valid IBAN settles.
 */
export const sandboxBank: PaymentProvider & {
  authorize(input: { debtorIban: string; scaCode: string; now?: number }): { ok: true; steps: ProviderStep[] } | { ok: false; reason: "sca_failed" };
} = {
  id: "sandbox_bank",
  method: "sepa_credit",
  live: false,
  async start({ token }) {
    // Same-origin screen: a path, so the redirect never depends on PUBLIC_BASE_URL matching the host.
    return { redirectUrl: pagePath(token, "/bank"), reference: newSandboxReference("consent") };
  },
  refund: sandboxRefund,
  authorize({ debtorIban, scaCode }) {
    if (scaCode.trim() !== SANDBOX_SCA_CODE) return { ok: false, reason: "sca_failed" };
    const transactionId = `aiia-tx-${randomToken(12)}`;
    const sandbox = isSandboxIban(debtorIban) ? SANDBOX_IBANS[debtorIban] : undefined;
    const failureCode = sandbox && "failure_code" in sandbox ? sandbox.failure_code : undefined;
    return {
      ok: true,
      steps: [
        { afterMs: 0, aiiaStatus: "initiated", providerStatus: "initiated", intentStatus: "processing", transactionId },
        { afterMs: SANDBOX_BANK_TIMING.authorizedAfterMs, aiiaStatus: "authorized", providerStatus: "authorized", intentStatus: "processing" },
        failureCode
          ? {
              afterMs: SANDBOX_BANK_TIMING.settledAfterMs,
              aiiaStatus: "rejected",
              providerStatus: "rejected",
              intentStatus: "failed",
              failureCode,
              failureMessage: SANDBOX_BANK_FAILURES[failureCode],
            }
          : { afterMs: SANDBOX_BANK_TIMING.settledAfterMs, aiiaStatus: "settled", providerStatus: "settled", intentStatus: "succeeded" },
      ],
    };
  },
};

/** The payer's accounts the sandbox bank offers: the seed's three test IBANs. */
export const SANDBOX_PAYER_ACCOUNTS = Object.keys(SANDBOX_IBANS) as (keyof typeof SANDBOX_IBANS)[];
