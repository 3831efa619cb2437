import { z } from "@hono/zod-openapi";
import { AddressSchema, Timestamp, WarningSchema } from "../../lib/fields";
import { AccountingSettings } from "../../services/organizations/accounting";
import { Branding, Contact, OrganizationName, Receipts, OrganizationType, SmsSenderId, VatOnDebits } from "../../services/organizations/create-organization";

export const OrganizationIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const OrganizationSchema = z
  .object({
    id: z.string().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("organization"),
    livemode: z.boolean(),
    type: OrganizationType,
    name: OrganizationName,
    siret: z.string().openapi({ example: "21690123400019" }),
    siren: z.string().openapi({ description: "Derived from the SIRET.", example: "216901234" }),
    vat_number: z.string().nullable(),
    vat_on_debits: VatOnDebits,
    address: AddressSchema.nullable(),
    contact: Contact.nullable(),
    branding: Branding.nullable(),
    receipts: Receipts,
    sms_sender_id: SmsSenderId.nullable(),
    accounting: AccountingSettings.nullable().openapi({ description: "The accounts of the FEC export; null: the plan comptable général's defaults (411000, 706000, 445710, 512000)." }),
    metadata: z.record(z.string(), z.string()),
    warnings: z.array(WarningSchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Organization");
