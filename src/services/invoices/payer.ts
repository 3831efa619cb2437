import { z } from "@hono/zod-openapi";
import { hmacSha256Hex, seal, unseal } from "../../lib/crypto";
import { AddressSchema } from "../../lib/fields";
import { purposeMacHex } from "../../lib/keys";
import { Text } from "../../lib/text";
import { normalizeRecipient } from "../messages/recipient";

/** A phone number as libphonenumber-js normalizes it (E.164), so what is stored is what an SMS goes to. */
function isE164Phone(value: string): boolean {
  try {
    return normalizeRecipient("sms", value) === value;
  } catch {
    return false;
  }
}

export const PayerSchema = z
  .strictObject({
    name: Text({ min: 1, max: 200 }).openapi({ example: "Jean Dupont" }),
    email: z.email().max(254).openapi({ example: "jean.dupont@example.com" }),
    phone: z
      .string()
      .max(20)
      .refine(isE164Phone, "must be a valid phone number in E.164 form, such as +33612345678")
      .optional()
      .openapi({ description: "E.164. Where `POST /v1/invoices/{id}/send` with `channel: \"sms\"` sends by default.", example: "+33612345678" }),
    address: AddressSchema.strict().optional(),
    siren: z
      .string()
      .regex(/^\d{9}$/, "must be 9 digits")
      .optional()
      .openapi({ description: "A business payer's SIREN: the B2B mentions (penalties, 40 € indemnity) then apply.", example: "552081317" }),
    vat_number: Text({ min: 4, max: 20 }).optional().openapi({ example: "FR03552081317" }),
  })
  .openapi("Payer", { description: "Stored encrypted (personal data)." });

export type Payer = z.infer<typeof PayerSchema>;


/** The payer is personal data: sealed at rest, bound to its invoice. */
export function sealPayer(key: string, invoiceId: string, payer: Payer): Promise<string> {
  return seal(key, JSON.stringify(payer), `invoice:${invoiceId}:payer`);
}

export async function unsealPayer(key: string, invoiceId: string, sealed: string): Promise<Payer> {
  return JSON.parse(await unseal(key, sealed, `invoice:${invoiceId}:payer`)) as Payer;
}

/**
 * Keyed hash of the lower-cased email (the `payer_email` filter), with an HKDF subkey of the
 * encryption key (`v2:` prefix). Invoices written before carry the legacy derivation until the
 * privacy backfill (src/cron/privacy-backfill.ts) rewrites them: lookups match both (`payerEmailHashes`).
 */
export async function payerEmailHash(key: string, email: string): Promise<string> {
  return `v2:${await purposeMacHex(key, "payer_email_hash", email.trim().toLowerCase())}`;
}

/** The derivation used before purpose subkeys: only ever compared against, never written. */
export function legacyPayerEmailHash(key: string, email: string): Promise<string> {
  return hmacSha256Hex(`payer-email:${key}`, email.trim().toLowerCase());
}

/** Every hash a stored invoice of this payer email may carry: the current one first. */
export function payerEmailHashes(key: string, email: string): Promise<[current: string, legacy: string]> {
  return Promise.all([payerEmailHash(key, email), legacyPayerEmailHash(key, email)]);
}

export function isBusinessPayer(payer: Payer): boolean {
  return Boolean(payer.siren || payer.vat_number);
}

/** What the audit trail keeps of a payer for 10 years: enough to recognise, not to contact. */
export function redactPayer(payer: Payer) {
  const mask = (s: string) => (s.length <= 1 ? "*" : `${s[0]}${"*".repeat(Math.min(s.length - 1, 6))}`);
  const [local = "", domain = ""] = payer.email.split("@");
  return {
    name: payer.name.split(/\s+/).map(mask).join(" "),
    email: `${mask(local)}@${domain}`,
    business: isBusinessPayer(payer),
  };
}
