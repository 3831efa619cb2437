import { isSandboxIban, SANDBOX_IBANS } from "./sandbox";

/** KYC of a department's payee identity: `pending → verified | rejected`. */
export const KYC_STATUSES = ["pending", "verified", "rejected"] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const KYC_TRANSITIONS = {
  pending: ["verified", "rejected"],
  verified: [],
  rejected: [],
} as const satisfies Record<KycStatus, readonly KycStatus[]>;

/** What deciding a pending KYC can make of it; a decided KYC is final (a new submission starts over). */
export type KycDecision = (typeof KYC_TRANSITIONS.pending)[number];

/**
 * A bank account's verification: the status of the latest KYC covering it, `unverified` when none
 * does. Live payment links pay only into a `verified` default account.
 */
export const ACCOUNT_VERIFICATION_STATUSES = ["unverified", ...KYC_STATUSES] as const;
export type AccountVerificationStatus = (typeof ACCOUNT_VERIFICATION_STATUSES)[number];

/**
 * The sandbox verifier decides at once, deterministically, so partners can test both outcomes:
 * an account on the seed's "blocked account" IBAN (FR76…125) or a holder named "Rejected …" is
 * rejected; anything else is verified.
 */
export function sandboxKycDecision(subject: { account_holder_name: string; iban: string }):
  | { status: Extract<KycDecision, "verified"> }
  | { status: Extract<KycDecision, "rejected">; reason: string } {
  const sandbox = isSandboxIban(subject.iban) ? SANDBOX_IBANS[subject.iban] : undefined;
  if (sandbox && "failure_code" in sandbox && sandbox.failure_code === "account_blocked") {
    return { status: "rejected", reason: "bank_account_blocked" };
  }
  if (/^rejected\b/i.test(subject.account_holder_name.trim())) return { status: "rejected", reason: "identity_mismatch" };
  return { status: "verified" };
}
