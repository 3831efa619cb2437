import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { bankAccounts, kycVerifications } from "../../db/schema";
import type { AccountVerificationStatus } from "../../domain/kyc";
import { ANY_ORGANIZATION, scoped, type TenantRef } from "../tenancy";

/**
 * A KYC verification covers one bank account (`kyc_verifications.bank_account_id`). An account's
 * verification status is that of the latest KYC covering it, `unverified` when none does: so a
 * new IBAN, even made the default, is never paid into live on an older account's verification.
 * Derived in SQL rather than stored, so whatever decides a KYC (sandbox, provider, operator)
 * is reflected at once.
 */
export type VerificationStatus = AccountVerificationStatus;

export interface AccountVerification {
  verification_status: VerificationStatus;
  kyc_verification_id: string | null;
}

export const UNVERIFIED: AccountVerification = { verification_status: "unverified", kyc_verification_id: null };

function latestKyc(who: { principal: TenantRef } | TenantRef, accountId: SQL | SQLiteColumn, column: SQLiteColumn): SQL {
  return sql`(SELECT ${column} FROM ${kycVerifications} WHERE ${kycVerifications.bank_account_id} = ${accountId} AND ${scoped(who, kycVerifications, ANY_ORGANIZATION)} ORDER BY ${kycVerifications.created_at} DESC, ${kycVerifications.id} DESC LIMIT 1)`;
}

/** The latest covering KYC's status of the account `accountId` (an id, a column or a sub-select), or 'unverified'. */
export function verificationStatusOf(who: { principal: TenantRef } | TenantRef, accountId: SQL | SQLiteColumn): SQL<VerificationStatus> {
  return sql<VerificationStatus>`coalesce(${latestKyc(who, accountId, kycVerifications.status)}, 'unverified')`;
}

/** The id of the latest KYC covering the account `accountId`, or null. */
export function coveringKycIdOf(who: { principal: TenantRef } | TenantRef, accountId: SQL | SQLiteColumn): SQL<string | null> {
  return sql<string | null>`${latestKyc(who, accountId, kycVerifications.id)}`;
}

/** Select fields giving each `bank_accounts` row its verification (spread into a select on that table). */
export function verificationFields(who: { principal: TenantRef } | TenantRef) {
  return {
    verification_status: verificationStatusOf(who, bankAccounts.id),
    kyc_verification_id: coveringKycIdOf(who, bankAccounts.id),
  };
}
