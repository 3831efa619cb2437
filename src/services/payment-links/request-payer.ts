import { z } from "@hono/zod-openapi";
import { seal, unseal } from "../../lib/crypto";
import { purposeMacHex } from "../../lib/keys";
import { Text } from "../../lib/text";
import { payerEmailHash } from "../invoices/payer";
import { normalizeRecipient } from "../messages/recipient";

/**
 * The payer of a payment request without an invoice (seed 003 "demande de paiement"): who is
 * asked to pay, and where to reach them. Personal data: sealed at rest on the link, bound to its
 * id; the list filters go through blind indexes (keyed hashes), never through the clear text.
 */
export const RequestPayerSchema = z
  .strictObject({
    name: Text({ min: 1, max: 200 }).openapi({ example: "Jean Dupont" }),
    email: z.email().max(254).optional().openapi({ example: "jean.dupont@example.com" }),
    phone: z
      .string()
      .max(32)
      .optional()
      .openapi({ description: "Any usual form (`06 12 34 56 78`, `+33612345678`); stored in E.164. A number that is not one → 400 `invalid_phone`.", example: "+33612345678" }),
  })
  .openapi("RequestPayer", { description: "Stored encrypted (personal data)." });

export type RequestPayer = z.infer<typeof RequestPayerSchema>;

function context(linkId: string): string {
  return `payment_link:${linkId}:payer`;
}

/** Seals the payer, its phone already normalized to E.164 (normalizeRecipient throws 400 invalid_phone). */
export function sealRequestPayer(key: string, linkId: string, payer: RequestPayer): Promise<string> {
  const phone = payer.phone === undefined ? undefined : normalizeRecipient("sms", payer.phone, "payer.phone");
  return seal(key, JSON.stringify({ ...payer, ...(phone ? { phone } : {}) }), context(linkId));
}

export async function unsealRequestPayer(key: string, linkId: string, sealed: string): Promise<RequestPayer> {
  return JSON.parse(await unseal(key, sealed, context(linkId))) as RequestPayer;
}

/** A name as the `payer_name` filter compares it: case, accents and spacing ignored ("DUPONT  Jean" = "dupont jean"). */
export function normalizePayerName(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export function requestPayerNameHash(key: string, name: string): Promise<string> {
  return purposeMacHex(key, "request_payer_name_hash", normalizePayerName(name));
}

/** The same blind index as invoices' `payer_email` filter (lower-cased, trimmed). */
export function requestPayerEmailHash(key: string, email: string): Promise<string> {
  return payerEmailHash(key, email);
}
