import type { kycVerifications } from "../../db/schema";

export type KycRow = typeof kycVerifications.$inferSelect;

export function presentKyc(row: KycRow) {
  return {
    id: row.id,
    object: "kyc_verification" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    department_id: row.department_id,
    status: row.status,
    legal_name: row.legal_name,
    siret: row.siret,
    account_holder_name: row.account_holder_name,
    bank_account_id: row.bank_account_id,
    rejection_reason: row.rejection_reason,
    warnings: row.warnings,
    submitted_at: row.submitted_at,
    decided_at: row.decided_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
