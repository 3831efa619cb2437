import { seal, unseal } from "../../lib/crypto";
import type { PayerSealing } from "../invoices/drafts";
import type { Payer } from "../invoices/payer";

/**
 * A quote's payer is personal data, sealed at rest like an invoice's but bound to the quote: a
 * copy of the sealed value moved to another row (or read as an invoice's) does not decrypt.
 * Accepting a quote re-seals the payer for the invoice it makes.
 */
export function sealQuotePayer(key: string, quoteId: string, payer: Payer): Promise<string> {
  return seal(key, JSON.stringify(payer), `quote:${quoteId}:payer`);
}

export async function unsealQuotePayer(key: string, quoteId: string, sealed: string): Promise<Payer> {
  return JSON.parse(await unseal(key, sealed, `quote:${quoteId}:payer`)) as Payer;
}

export const QUOTE_PAYER: PayerSealing = { seal: sealQuotePayer, unseal: unsealQuotePayer };
