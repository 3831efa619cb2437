import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import { organizations } from "../../db/schema";
import { assessOrganizationIdentity } from "../../domain/identity";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import { AddressSchema, Metadata } from "../../lib/fields";
import { Branding, Contact, OrganizationName, Receipts, OrganizationType, Siret, SmsSenderId, VatNumber, VatOnDebits } from "./create-organization";
import { findOrganization, organizationWhere } from "./get-organization";
import { AccountingSettings } from "./accounting";
import { presentOrganization, type OrganizationRow } from "./present";

export const UpdateOrganizationInput = z
  .strictObject({
    type: OrganizationType.optional(),
    name: OrganizationName.optional(),
    siret: Siret.optional(),
    vat_number: VatNumber.nullable().optional(),
    vat_on_debits: VatOnDebits.optional(),
    address: AddressSchema.strict().nullable().optional(),
    contact: Contact.nullable().optional(),
    branding: Branding.nullable().optional(),
    receipts: Receipts.optional(),
    sms_sender_id: SmsSenderId.nullable().optional(),
    accounting: AccountingSettings.nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi("OrganizationUpdate", { example: { branding: { display_name: "Ville de Lyon", primary_color: "#1A4B8C" } } });

/**
 * PATCH semantics: fields present replace the stored ones (`null` clears an optional one).
 * The write is guarded on the version read (updated_at), so two concurrent edits cannot
 * silently overwrite each other: the loser gets 409 and retries.
 */
export async function updateOrganization({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof UpdateOrganizationInput> }) {
  const before = await findOrganization(ctx, id);
  const identity =
    input.siret !== undefined || input.vat_number !== undefined
      ? assessOrganizationIdentity(
          { siret: input.siret ?? before.siret, vat_number: input.vat_number === undefined ? before.vat_number : input.vat_number },
          ctx.principal.livemode,
        )
      : { siret: before.siret, siren: before.siren, vat_number: before.vat_number, warnings: before.warnings };
  const after: OrganizationRow = {
    ...before,
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...identity,
    ...(input.vat_on_debits !== undefined ? { vat_on_debits: input.vat_on_debits } : {}),
    ...(input.address !== undefined ? { address: input.address } : {}),
    ...(input.contact !== undefined ? { contact: input.contact } : {}),
    ...(input.branding !== undefined ? { branding: input.branding } : {}),
    ...(input.receipts !== undefined ? { receipts_email: input.receipts.email } : {}),
    ...(input.sms_sender_id !== undefined ? { sms_sender_id: input.sms_sender_id } : {}),
    ...(input.accounting !== undefined ? { accounting: input.accounting } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    updated_at: ctx.now,
  };
  const presentedBefore = presentOrganization(before);
  const presentedAfter = presentOrganization(after);
  const changed = diff(presentedBefore, { ...presentedAfter, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0) return presentedBefore;

  const unchangedSince = and(organizationWhere(ctx, id), eq(organizations.updated_at, before.updated_at));
  const [, updated] = await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId: id, resourceType: "organization", resourceId: id, action: "updated", ...changed },
      sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${unchangedSince})`,
    ),
    ctx.db
      .update(organizations)
      .set({
        type: after.type,
        name: after.name,
        siret: after.siret,
        siren: after.siren,
        vat_number: after.vat_number,
        warnings: after.warnings,
        vat_on_debits: after.vat_on_debits,
        address: after.address,
        contact: after.contact,
        branding: after.branding,
        sms_sender_id: after.sms_sender_id,
        receipts_email: after.receipts_email,
        accounting: after.accounting,
        metadata: after.metadata,
        updated_at: after.updated_at,
      })
      .where(unchangedSince),
  ]);
  if (changes(updated) === 0) throw new Conflict("The organization was modified by another request; read it again and retry.", "concurrent_update");
  return presentedAfter;
}
