import type { bankAccounts } from "../../db/schema";
import type { AccountVerification } from "./verification";

export type BankAccountRow = typeof bankAccounts.$inferSelect;

/**
 * The IBAN itself never leaves storage: only its masked form and last four characters. The
 * verification comes from the KYC covering the account (./verification.ts).
 */
export function presentBankAccount(row: BankAccountRow & AccountVerification) {
  return {
    id: row.id,
    object: "bank_account" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    department_id: row.department_id,
    iban_masked: row.iban_masked,
    iban_last4: row.iban_last4,
    country: row.country,
    bic: row.bic,
    account_name: row.account_name,
    bank_name: row.bank_name,
    is_default: row.is_default,
    verification_status: row.verification_status,
    kyc_verification_id: row.kyc_verification_id,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
  };
}
