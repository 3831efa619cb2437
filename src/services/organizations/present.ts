import type { organizations } from "../../db/schema";

export type OrganizationRow = typeof organizations.$inferSelect;

export function presentOrganization(row: OrganizationRow) {
  return {
    id: row.id,
    object: "organization" as const,
    livemode: row.livemode,
    type: row.type,
    name: row.name,
    siret: row.siret,
    siren: row.siren,
    vat_number: row.vat_number,
    vat_on_debits: row.vat_on_debits,
    address: row.address ?? null,
    contact: row.contact ?? null,
    branding: row.branding ?? null,
    receipts: { email: row.receipts_email },
    sms_sender_id: row.sms_sender_id,
    accounting: row.accounting ?? null,
    metadata: row.metadata,
    warnings: row.warnings,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
