import { z } from "@hono/zod-openapi";
import { and, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { creditNotes, events, invoices, messages, paymentLinks, payments, quotes } from "../../db/schema";
import { payerEmailHashes } from "../invoices/payer";
import { maskRecipient, recipientHash } from "../messages/recipient";
import type { ServiceContext } from "../context";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

// Trimmed and lower-cased before the check, as the blind indexes were computed.
export const PayerEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  .openapi({ description: "The payer's email address (case and surrounding spaces ignored).", example: "jean.dupont@example.com" });

/**
 * How a payer is found without reading any clear text: the blind indexes the rows already carry
 * (invoices' and quotes' `payer_email_hash`, current and legacy derivation; requests'
 * `payer_email_hash`; messages' `to_hash` for the email channel), computed with this deployment's
 * key. The partner and mode filter on every query keeps another partner's payers out, even with
 * the same email.
 */
export interface PayerKeys {
  emailHashes: string[];
  toHash: string;
  /** What the audit trail records of the email: enough to recognise, not to contact. */
  masked: string;
}

export async function payerKeys(ctx: ServiceContext, email: string): Promise<PayerKeys> {
  const normalized = email.trim().toLowerCase();
  const [hashes, toHash] = await Promise.all([payerEmailHashes(ctx.env.ENCRYPTION_KEY, normalized), recipientHash(ctx.env.ENCRYPTION_KEY, "email", normalized)]);
  return { emailHashes: hashes, toHash, masked: maskRecipient("email", normalized) };
}

/** The payer's invoices, any organization of the partner, this mode. */
export function invoiceMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, invoices, ANY_ORGANIZATION), inArray(invoices.payer_email_hash, keys.emailHashes))!;
}

export function quoteMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, quotes, ANY_ORGANIZATION), inArray(quotes.payer_email_hash, keys.emailHashes))!;
}

/** Ids of the payer's invoices, as a subquery. */
export function invoiceIds(ctx: ServiceContext, keys: PayerKeys) {
  return ctx.db.select({ id: invoices.id }).from(invoices).where(invoiceMatch(ctx, keys));
}

/** Payment requests naming the payer, and the links of the payer's invoices. */
export function linkMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, paymentLinks, ANY_ORGANIZATION), or(inArray(paymentLinks.payer_email_hash, keys.emailHashes), inArray(paymentLinks.invoice_id, invoiceIds(ctx, keys))))!;
}

/** Requests that hold the payer themselves (an invoice's link holds no payer: its invoice does). */
export function requestMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, paymentLinks, ANY_ORGANIZATION), isNotNull(paymentLinks.payer_encrypted), inArray(paymentLinks.payer_email_hash, keys.emailHashes))!;
}

function linkIds(ctx: ServiceContext, keys: PayerKeys) {
  return ctx.db.select({ id: paymentLinks.id }).from(paymentLinks).where(linkMatch(ctx, keys));
}

export function paymentMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, payments, ANY_ORGANIZATION), or(inArray(payments.invoice_id, invoiceIds(ctx, keys)), inArray(payments.payment_link_id, linkIds(ctx, keys))))!;
}

export function creditNoteMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, creditNotes, ANY_ORGANIZATION), inArray(creditNotes.invoice_id, invoiceIds(ctx, keys)))!;
}

/** Emails sent to the payer (an SMS is found by its number, which an email does not give). */
export function messageMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  return and(scoped(ctx, messages, ANY_ORGANIZATION), eq(messages.channel, "email"), eq(messages.to_hash, keys.toHash))!;
}

/**
 * Events about the payer's invoices, quotes, links and requests and messages: their payloads are
 * copies of those objects (an invoice's payer sealed in `data_encrypted`). Matched on the ids the
 * payload names, in plain JSON (`invoice.id`, `invoice_id`, `quote.id`, `payment_link.id`,
 * `message.id`); an expired payload (`data = {}`) names none and is no longer matched.
 */
export function eventMatch(ctx: ServiceContext, keys: PayerKeys): SQL {
  const inv = invoiceIds(ctx, keys);
  const quo = ctx.db.select({ id: quotes.id }).from(quotes).where(quoteMatch(ctx, keys));
  const lnk = linkIds(ctx, keys);
  const msg = ctx.db.select({ id: messages.id }).from(messages).where(messageMatch(ctx, keys));
  return and(
    scoped(ctx, events, ANY_ORGANIZATION),
    or(
      sql`json_extract(${events.data}, '$.invoice.id') IN ${inv}`,
      sql`json_extract(${events.data}, '$.invoice_id') IN ${inv}`,
      sql`json_extract(${events.data}, '$.quote.id') IN ${quo}`,
      sql`json_extract(${events.data}, '$.payment_link.id') IN ${lnk}`,
      sql`json_extract(${events.data}, '$.message.id') IN ${msg}`,
    ),
  )!;
}
