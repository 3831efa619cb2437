import { z } from "@hono/zod-openapi";
import { organizations } from "../../db/schema";
import { assessOrganizationIdentity } from "../../domain/identity";
import { AddressSchema, Metadata } from "../../lib/fields";
import { newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, type ServiceContext } from "../context";
import { presentOrganization, type OrganizationRow } from "./present";
import { owner } from "../tenancy";

export const Contact = z
  .strictObject({
    name: Text({ min: 1, max: 200 }).optional().openapi({ example: "Service des finances" }),
    email: z.email().max(254).optional().openapi({ example: "finances@mairie-lyon.fr" }),
    phone: z
      .string()
      .regex(/^\+?[0-9 ().-]{6,20}$/, "must be a phone number")
      .optional()
      .openapi({ example: "+33 4 72 10 30 30" }),
  })
  .openapi("Contact");

export const Branding = z
  .strictObject({
    display_name: Text({ min: 1, max: 100 }).optional().openapi({ description: "Name shown to payers on hosted pages.", example: "Ville de Lyon" }),
    logo_url: z
      .url({ protocol: /^https$/, error: "must be an https URL" })
      .max(2048)
      .optional()
      .openapi({ example: "https://www.lyon.fr/logo.svg" }),
    primary_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "must be a hex colour like #1A4B8C")
      .optional()
      .openapi({ example: "#1A4B8C" }),
    support_email: z.email().max(254).optional().openapi({ example: "regies@mairie-lyon.fr" }),
  })
  .openapi("Branding", { description: "White-label look of the hosted payment pages." });

export const OrganizationType = z.enum(["company", "public_entity"]).openapi({ description: "A company, or a public body (town hall, régie…).", example: "public_entity" });
export const OrganizationName = Text({ min: 1, max: 200 }).openapi({ example: "Mairie de Lyon" });
export const Siret = z
  .string()
  .trim()
  .max(20)
  .openapi({
    description: "14-digit SIRET (Luhn-checked, La Poste rule included). Test mode accepts a failed checksum with a warning.",
    example: "21690123400019",
  });
export const VatNumber = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .openapi({ description: "French intra-EU VAT number (FR + key + SIREN).", example: "FR21216901234" });
export const VatOnDebits = z.boolean().openapi({
  description:
    "The organization opted to pay VAT on debits (CGI art. 269-2-c) rather than on receipts: its invoices then carry the mention \"Option pour le paiement de la taxe d'après les débits\". Default false.",
  example: false,
});

export const Receipts = z
  .strictObject({
    email: z.boolean().openapi({ description: "Email the payer a receipt (\"ticket de paiement\", with its PDF) after every payment, when the payer's email is known. Default true.", example: true }),
  })
  .openapi("ReceiptSettings");

// French operators block API SMS sent from +33 6/7 numbers: payers see an alphanumeric sender id.
// At least one letter (an all-digit id would read as a phone number), at most 11 (GSM 03.40).
export const SmsSenderId = z
  .string()
  .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, "1 to 11 letters and digits (at least one letter), no spaces or accents.")
  .openapi({
    description: "Sender shown on SMS to payers: 1 to 11 letters and digits, at least one letter. Null: the first 11 letters and digits of the display name.",
    example: "VilleLyon",
  });

export const CreateOrganizationInput = z
  .strictObject({
    type: OrganizationType,
    name: OrganizationName,
    siret: Siret,
    vat_number: VatNumber.nullable().optional(),
    vat_on_debits: VatOnDebits.optional(),
    address: AddressSchema.strict().optional(),
    contact: Contact.optional(),
    branding: Branding.optional(),
    receipts: Receipts.optional(),
    sms_sender_id: SmsSenderId.nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi("OrganizationCreate", {
    example: {
      type: "public_entity",
      name: "Mairie de Lyon",
      siret: "21690123400019",
      vat_number: "FR21216901234",
      address: { line1: "1 Place de la Comédie", postal_code: "69001", city: "Lyon", country: "FR" },
    },
  });

export async function createOrganization({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof CreateOrganizationInput> }) {
  const identity = assessOrganizationIdentity(input, ctx.principal.livemode);
  const row: OrganizationRow = {
    id: newId("organization"),
    ...owner(ctx),
    type: input.type,
    name: input.name,
    ...identity,
    address: input.address ?? null,
    accounting: null,
    contact: input.contact ?? null,
    branding: input.branding ?? null,
    vat_on_debits: input.vat_on_debits ?? false,
    sms_sender_id: input.sms_sender_id ?? null,
    receipts_email: input.receipts?.email ?? true,
    metadata: input.metadata ?? {},
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentOrganization(row);
  await ctx.db.batch([
    ctx.db.insert(organizations).values(row),
    auditEntry(ctx, {
      organizationId: row.id,
      resourceType: "organization",
      resourceId: row.id,
      action: "created",
      before: null,
      after: presented,
    }),
  ]);
  return presented;
}
