import { hmacSha256Hex, seal, unseal } from "../../lib/crypto";

export interface Payer {
  name: string;
  email: string;
  address?: { line1: string; line2?: string | undefined; postal_code: string; city: string; country: string } | undefined;
  /** A business payer gives its SIREN or VAT number: B2B mentions then apply. */
  siren?: string | undefined;
  vat_number?: string | undefined;
}

/** The payer is personal data: sealed at rest, bound to its invoice. */
export function sealPayer(key: string, invoiceId: string, payer: Payer): Promise<string> {
  return seal(key, JSON.stringify(payer), `invoice:${invoiceId}:payer`);
}

export async function unsealPayer(key: string, invoiceId: string, sealed: string): Promise<Payer> {
  return JSON.parse(await unseal(key, sealed, `invoice:${invoiceId}:payer`)) as Payer;
}

export function payerEmailHash(key: string, email: string): Promise<string> {
  return hmacSha256Hex(`payer-email:${key}`, email.trim().toLowerCase());
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
