import { z } from "@hono/zod-openapi";
import { AddressSchema, Metadata, Timestamp, WarningSchema } from "../../lib/openapi";
import { Text } from "../../lib/text";

export const OrganizationIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

const Contact = z
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

const Branding = z
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

const Type = z.enum(["company", "public_entity"]).openapi({ description: "A company, or a public body (town hall, régie…).", example: "public_entity" });
const Name = Text({ min: 1, max: 200 }).openapi({ example: "Mairie de Lyon" });
const Siret = z
  .string()
  .trim()
  .max(20)
  .openapi({
    description: "14-digit SIRET (Luhn-checked, La Poste rule included). Test mode accepts a failed checksum with a warning.",
    example: "21690123400019",
  });
const VatNumber = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .openapi({ description: "French intra-EU VAT number (FR + key + SIREN).", example: "FR21216901234" });

export const OrganizationCreate = z
  .strictObject({
    type: Type,
    name: Name,
    siret: Siret,
    vat_number: VatNumber.nullable().optional(),
    address: AddressSchema.strict().optional(),
    contact: Contact.optional(),
    branding: Branding.optional(),
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

export const OrganizationUpdate = z
  .strictObject({
    type: Type.optional(),
    name: Name.optional(),
    siret: Siret.optional(),
    vat_number: VatNumber.nullable().optional(),
    address: AddressSchema.strict().nullable().optional(),
    contact: Contact.nullable().optional(),
    branding: Branding.nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi("OrganizationUpdate", { example: { branding: { display_name: "Ville de Lyon", primary_color: "#1A4B8C" } } });

export const OrganizationSchema = z
  .object({
    id: z.string().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("organization"),
    livemode: z.boolean(),
    type: Type,
    name: Name,
    siret: z.string().openapi({ example: "21690123400019" }),
    siren: z.string().openapi({ description: "Derived from the SIRET.", example: "216901234" }),
    vat_number: z.string().nullable(),
    address: AddressSchema.nullable(),
    contact: Contact.nullable(),
    branding: Branding.nullable(),
    metadata: z.record(z.string(), z.string()),
    warnings: z.array(WarningSchema),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Organization");
