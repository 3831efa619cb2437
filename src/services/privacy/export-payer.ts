import { z } from "@hono/zod-openapi";
import { asc } from "drizzle-orm";
import { creditNotes, events, invoices, messages, paymentLinks, payments, quotes } from "../../db/schema";
import { EXPORT_LIMIT } from "../../domain/privacy";
import { unseal } from "../../lib/crypto";
import { unsealPayer } from "../invoices/payer";
import { recipientContext } from "../messages/enqueue";
import { unsealRequestPayer } from "../payment-links/request-payer";
import { unsealQuotePayer } from "../quotes/payer";
import { auditEntry, type ServiceContext } from "../context";
import { creditNoteMatch, eventMatch, invoiceMatch, linkMatch, messageMatch, PayerEmail, payerKeys, paymentMatch, quoteMatch } from "./payer-match";

export const ExportPayerInput = z.object({ email: PayerEmail });

/**
 * GDPR art. 15: everything held about one payer across the partner's organizations, in the
 * caller's mode, with the personal data unsealed (the payer is entitled to it). At most
 * EXPORT_LIMIT rows of each kind (oldest first); `truncated` says when a kind has more.
 *
 * The reads are one D1 batch; the audit entry follows it (it records how many rows of each kind
 * were disclosed). The entry is partner-level (no organization: the export spans them all) and
 * names the email masked (`j•••@example.com`), never in clear.
 * Events are listed by id, type and time (their payloads are copies of the objects listed here).
 */
export async function exportPayer({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ExportPayerInput> }) {
  const keys = await payerKeys(ctx, input.email);
  const take = EXPORT_LIMIT + 1;
  const db = ctx.db;
  const [invoiceRows, quoteRows, linkRows, paymentRows, creditNoteRows, messageRows, eventRows] = await db.batch([
    db.select().from(invoices).where(invoiceMatch(ctx, keys)).orderBy(asc(invoices.created_at)).limit(take),
    db.select().from(quotes).where(quoteMatch(ctx, keys)).orderBy(asc(quotes.created_at)).limit(take),
    db.select().from(paymentLinks).where(linkMatch(ctx, keys)).orderBy(asc(paymentLinks.created_at)).limit(take),
    db.select().from(payments).where(paymentMatch(ctx, keys)).orderBy(asc(payments.created_at)).limit(take),
    db.select().from(creditNotes).where(creditNoteMatch(ctx, keys)).orderBy(asc(creditNotes.created_at)).limit(take),
    db.select().from(messages).where(messageMatch(ctx, keys)).orderBy(asc(messages.created_at)).limit(take),
    db
      .select({ id: events.id, type: events.type, organization_id: events.organization_id, created_at: events.created_at, data_expired_at: events.data_expired_at })
      .from(events)
      .where(eventMatch(ctx, keys))
      .orderBy(asc(events.created_at))
      .limit(take),
  ]);
  const truncated = [invoiceRows, quoteRows, linkRows, paymentRows, creditNoteRows, messageRows, eventRows].some((rows) => rows.length > EXPORT_LIMIT);
  const cut = <T>(rows: T[]) => rows.slice(0, EXPORT_LIMIT);
  const key = ctx.env.ENCRYPTION_KEY;

  const result = {
    object: "privacy_export" as const,
    livemode: ctx.principal.livemode,
    email: input.email.trim().toLowerCase(),
    invoices: await Promise.all(
      cut(invoiceRows).map(async (r) => ({
        id: r.id,
        organization_id: r.organization_id,
        status: r.status,
        invoice_number: r.invoice_number,
        payer: await unsealPayer(key, r.id, r.payer_encrypted),
        total_amount: r.total_amount,
        currency: r.currency,
        created_at: r.created_at,
      })),
    ),
    quotes: await Promise.all(
      cut(quoteRows).map(async (r) => ({
        id: r.id,
        organization_id: r.organization_id,
        status: r.status,
        quote_number: r.quote_number,
        payer: await unsealQuotePayer(key, r.id, r.payer_encrypted),
        total_amount: r.total_amount,
        currency: r.currency,
        created_at: r.created_at,
      })),
    ),
    payment_links: await Promise.all(
      cut(linkRows).map(async (r) => ({
        id: r.id,
        organization_id: r.organization_id,
        invoice_id: r.invoice_id,
        status: r.status,
        description: r.description,
        payer: r.payer_encrypted ? await unsealRequestPayer(key, r.id, r.payer_encrypted) : null,
        amount: r.amount,
        currency: r.currency,
        created_at: r.created_at,
      })),
    ),
    payments: cut(paymentRows).map((r) => ({
      id: r.id,
      organization_id: r.organization_id,
      invoice_id: r.invoice_id,
      payment_link_id: r.payment_link_id,
      status: r.status,
      method: r.method,
      amount: r.amount,
      refunded_amount: r.refunded_amount,
      currency: r.currency,
      paid_at: r.paid_at,
    })),
    credit_notes: cut(creditNoteRows).map((r) => ({ id: r.id, organization_id: r.organization_id, invoice_id: r.invoice_id, created_at: r.created_at })),
    messages: await Promise.all(
      cut(messageRows).map(async (r) => ({
        id: r.id,
        organization_id: r.organization_id,
        channel: r.channel,
        template: r.template,
        status: r.status,
        to: await unseal(key, r.to_encrypted, recipientContext(r.id)),
        subject: r.subject,
        related_type: r.related_type,
        related_id: r.related_id,
        created_at: r.created_at,
      })),
    ),
    events: cut(eventRows).map((r) => ({ id: r.id, type: r.type, organization_id: r.organization_id, created_at: r.created_at, payload_expired: r.data_expired_at !== null })),
    truncated,
  };

  const counts = {
    invoices: result.invoices.length,
    quotes: result.quotes.length,
    payment_links: result.payment_links.length,
    payments: result.payments.length,
    credit_notes: result.credit_notes.length,
    messages: result.messages.length,
    events: result.events.length,
  };
  await auditEntry(ctx, {
    organizationId: null,
    resourceType: "privacy_export",
    resourceId: ctx.requestId,
    action: "exported",
    before: null,
    after: { email: keys.masked, ...counts, truncated },
  });
  return result;
}
