import { z } from "@hono/zod-openapi";
import { and, asc, count, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { creditNotes, events, invoices, messages, paymentLinks, payments, quotes } from "../../db/schema";
import {
  ANONYMIZED_PAYER,
  ERASABLE_INVOICE_STATUSES,
  ERASABLE_LINK_STATUSES,
  ERASABLE_QUOTE_STATUSES,
  ERASED_HASH,
  ERASED_MARKER,
  ERASURE_LIMIT,
  KEPT_REASONS,
} from "../../domain/privacy";
import { DUNNABLE_STATUSES } from "../../domain/dunning";
import { seal } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { sealPayer } from "../invoices/payer";
import { contentContext, recipientContext } from "../messages/enqueue";
import { sealQuotePayer } from "../quotes/payer";
import { auditEntry, type ServiceContext } from "../context";
import { creditNoteMatch, eventMatch, invoiceMatch, linkMatch, messageMatch, PayerEmail, payerKeys, paymentMatch, quoteMatch, requestMatch } from "./payer-match";

export const ErasePayerInput = z
  .strictObject({
    email: PayerEmail,
    reason: Text({ min: 1, max: 500 }).openapi({ description: "Why (e.g. the payer's request and its date): kept in the audit trail.", example: "Demande d'effacement du payeur reçue le 2024-03-02" }),
  })
  .openapi("PrivacyErasureRequest", { example: { email: "jean.dupont@example.com", reason: "Demande d'effacement du payeur reçue le 2024-03-02" } });

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

/**
 * GDPR art. 17: erases or anonymizes one payer's data where no legal obligation requires keeping
 * it, across the partner's organizations in the caller's mode.
 *
 * - draft invoices and quotes not accepted: the payer is replaced by ANONYMIZED_PAYER (sealed as
 *   before, so every reader still works) and the email hash by ERASED_HASH (the columns are
 *   NOT NULL; that value is never a keyed hash, so no lookup finds the row again);
 * - revoked or expired payment requests: sealed payer and both hashes nulled;
 * - emails sent to the payer: recipient and content re-sealed as ERASED_MARKER, the masked
 *   recipient, subject and hash replaced by it; a message still queued fails (`payer_erased`);
 * - every event about those rows or about the kept ones: payload expired as the 90-day purge
 *   does (`data = {}`, `data_encrypted` null, `data_expired_at` set).
 *
 * Kept (Code de commerce L123-22, 10 years): issued invoices, their credit notes, the ledger's
 * payments, accepted quotes and completed links. "Processing restricted" means here, with no
 * schema change: the kept rows are not changed, their copies in event payloads are gone (no
 * webhook redelivers the payer), the emails already sent are erased, and the erasure's audit
 * entry records what was kept and why. Kept invoices still due get their dunning paused (the
 * reminders stop; the partner can still send the invoice itself, a deliberate act).
 *
 * At most ERASURE_LIMIT rows of each kind per call (one read batch, one write batch); `remaining`
 * says to call again. Idempotent: erased rows no longer match, a second call erases nothing and
 * answers `status: "nothing_to_erase"` with the same `kept`.
 */
export async function erasePayer({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ErasePayerInput> }) {
  const keys = await payerKeys(ctx, input.email);
  const db = ctx.db;
  const take = ERASURE_LIMIT + 1;
  const erasableInvoice = and(invoiceMatch(ctx, keys), inArray(invoices.status, [...ERASABLE_INVOICE_STATUSES]))!;
  const erasableQuote = and(quoteMatch(ctx, keys), inArray(quotes.status, [...ERASABLE_QUOTE_STATUSES]))!;
  const erasableLink = and(requestMatch(ctx, keys), inArray(paymentLinks.status, [...ERASABLE_LINK_STATUSES]))!;

  // Kept invoices still due are restricted: their dunning is paused (no more reminders to a payer who asked to be erased).
  const remindable = and(invoiceMatch(ctx, keys), inArray(invoices.status, [...DUNNABLE_STATUSES]), eq(invoices.dunning_paused, false))!;
  const [invoiceRows, quoteRows, linkRows, messageRows, keptInvoices, keptQuotes, keptLinks, keptPayments, keptCreditNotes, remindableRows] = await db.batch([
    db.select({ id: invoices.id }).from(invoices).where(erasableInvoice).orderBy(asc(invoices.created_at)).limit(take),
    db.select({ id: quotes.id }).from(quotes).where(erasableQuote).orderBy(asc(quotes.created_at)).limit(take),
    db.select({ id: paymentLinks.id }).from(paymentLinks).where(erasableLink).orderBy(asc(paymentLinks.created_at)).limit(take),
    db
      .select({ id: messages.id })
      .from(messages)
      .where(messageMatch(ctx, keys))
      .orderBy(asc(messages.created_at))
      .limit(take),
    db.select({ n: count() }).from(invoices).where(and(invoiceMatch(ctx, keys), notInArray(invoices.status, [...ERASABLE_INVOICE_STATUSES]))),
    db.select({ n: count() }).from(quotes).where(and(quoteMatch(ctx, keys), notInArray(quotes.status, [...ERASABLE_QUOTE_STATUSES]))),
    // Kept links: a request's or an invoice's (the invoice's link holds no payer, but records the payment).
    db.select({ status: paymentLinks.status, n: count() }).from(paymentLinks).where(and(linkMatch(ctx, keys), notInArray(paymentLinks.status, [...ERASABLE_LINK_STATUSES]))).groupBy(paymentLinks.status),
    db.select({ n: count() }).from(payments).where(paymentMatch(ctx, keys)),
    db.select({ n: count() }).from(creditNotes).where(creditNoteMatch(ctx, keys)),
    db.select({ id: invoices.id }).from(invoices).where(remindable).orderBy(asc(invoices.created_at)).limit(ERASURE_LIMIT),
  ]);
  const pausedIds = remindableRows.map((r) => r.id);
  const cut = <T>(rows: T[]) => rows.slice(0, ERASURE_LIMIT);
  const remaining = [invoiceRows, quoteRows, linkRows, messageRows].some((rows) => rows.length > ERASURE_LIMIT);
  const invoiceIds = cut(invoiceRows).map((r) => r.id);
  const quoteIds = cut(quoteRows).map((r) => r.id);
  const linkIds = cut(linkRows).map((r) => r.id);
  const messageIds = cut(messageRows).map((r) => r.id);

  const key = ctx.env.ENCRYPTION_KEY;
  const anonymized = { ...ANONYMIZED_PAYER };
  const [invoicePayers, quotePayers, messageSeals] = await Promise.all([
    Promise.all(invoiceIds.map((id) => sealPayer(key, id, anonymized))),
    Promise.all(quoteIds.map((id) => sealQuotePayer(key, id, anonymized))),
    Promise.all(
      messageIds.map((id) =>
        Promise.all([seal(key, ERASED_MARKER, recipientContext(id)), seal(key, JSON.stringify({ text: ERASED_MARKER, html: null, from: ERASED_MARKER, reply_to: null }), contentContext(id))]),
      ),
    ),
  ]);

  const now = ctx.now;
  const statements: BatchItem[] = [];
  // Events first: their match reads the rows the statements below change (ids and hashes).
  statements.push(
    db
      .update(events)
      .set({ data: {}, data_encrypted: null, data_expired_at: now })
      .where(and(isNull(events.data_expired_at), inArray(events.id, db.select({ id: events.id }).from(events).where(and(eventMatch(ctx, keys), isNull(events.data_expired_at))).limit(ERASURE_LIMIT))))
      .returning({ id: events.id }),
  );
  invoiceIds.forEach((id, i) =>
    statements.push(
      db
        .update(invoices)
        .set({ payer_encrypted: invoicePayers[i]!, payer_email_hash: ERASED_HASH, version: sql`${invoices.version} + 1`, updated_at: now })
        .where(and(eq(invoices.id, id), erasableInvoice))
        .returning({ id: invoices.id }),
    ),
  );
  quoteIds.forEach((id, i) =>
    statements.push(
      db
        .update(quotes)
        .set({ payer_encrypted: quotePayers[i]!, payer_email_hash: ERASED_HASH, version: sql`${quotes.version} + 1`, updated_at: now })
        .where(and(eq(quotes.id, id), erasableQuote))
        .returning({ id: quotes.id }),
    ),
  );
  if (linkIds.length > 0) {
    statements.push(
      db
        .update(paymentLinks)
        // The description is the partner's free text, which often names the payer (« Cantine – Léa Dupont »): it goes too.
        .set({ payer_encrypted: null, payer_email_hash: null, payer_name_hash: null, description: sql`CASE WHEN ${paymentLinks.description} IS NULL THEN NULL ELSE ${ERASED_MARKER} END`, updated_at: now, version: sql`${paymentLinks.version} + 1` })
        .where(and(inArray(paymentLinks.id, linkIds), erasableLink))
        .returning({ id: paymentLinks.id }),
    );
  }
  messageIds.forEach((id, i) =>
    statements.push(
      db
        .update(messages)
        .set({
          to_encrypted: messageSeals[i]![0],
          content_encrypted: messageSeals[i]![1],
          to_hash: ERASED_HASH,
          to_masked: ERASED_MARKER,
          subject: ERASED_MARKER,
          // A message not sent yet never will be: its recipient is gone.
          status: sql`CASE WHEN ${messages.status} = 'queued' THEN 'failed' ELSE ${messages.status} END`,
          failure_reason: sql`CASE WHEN ${messages.status} = 'queued' THEN 'payer_erased' ELSE ${messages.failure_reason} END`,
          updated_at: now,
          version: sql`${messages.version} + 1`,
        })
        .where(and(eq(messages.id, id), messageMatch(ctx, keys)))
        .returning({ id: messages.id }),
    ),
  );

  const kept = [
    { type: "invoice", count: keptInvoices[0]?.n ?? 0, reason: KEPT_REASONS.invoice },
    { type: "credit_note", count: keptCreditNotes[0]?.n ?? 0, reason: KEPT_REASONS.credit_note },
    { type: "payment", count: keptPayments[0]?.n ?? 0, reason: KEPT_REASONS.payment },
    { type: "quote", count: keptQuotes[0]?.n ?? 0, reason: KEPT_REASONS.quote },
    { type: "payment_link", count: keptLinks.filter((l) => l.status !== "active").reduce((n, l) => n + l.n, 0), reason: KEPT_REASONS.payment_link },
    { type: "payment_link", count: keptLinks.filter((l) => l.status === "active").reduce((n, l) => n + l.n, 0), reason: KEPT_REASONS.active_payment_link },
  ].filter((k) => k.count > 0);

  const id = newId("privacy_erasure");
  // The audit entry names the rows the batch is about to erase (ids, never the payer): the guarded
  // updates only miss a row that changed since the read (e.g. a draft issued meanwhile).
  statements.push(
    auditEntry(ctx, {
      organizationId: null,
      resourceType: "privacy_erasure",
      resourceId: id,
      action: "created",
      before: null,
      after: { email: keys.masked, reason: maskEmail(input.reason, input.email, keys.masked), erased_ids: { invoices: invoiceIds, quotes: quoteIds, payment_links: linkIds, messages: messageIds }, kept: kept.map(({ type, count }) => ({ type, count })), dunning_paused_invoices: pausedIds, remaining },
    }),
  );
  // After the audit entry: the positions the counts below read stay where they were.
  if (pausedIds.length > 0) {
    statements.push(
      db
        .update(invoices)
        .set({ dunning_paused: true, version: sql`${invoices.version} + 1` as unknown as number, updated_at: now })
        .where(and(remindable, inArray(invoices.id, pausedIds))),
    );
  }

  const results = (await db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const changed = (i: number) => (results[i] as unknown[]).length;
  let at = 1;
  const sum = (n: number) => {
    let total = 0;
    for (let k = 0; k < n; k++) total += changed(at + k);
    at += n;
    return total;
  };
  const erasedEvents = changed(0);
  const moreEvents = erasedEvents >= ERASURE_LIMIT;
  const erasedInvoices = sum(invoiceIds.length);
  const erasedQuotes = sum(quoteIds.length);
  const erasedLinks = linkIds.length > 0 ? sum(1) : 0;
  const erasedMessages = sum(messageIds.length);
  const erased = { invoices: erasedInvoices, quotes: erasedQuotes, payment_links: erasedLinks, messages: erasedMessages, events: erasedEvents };
  const total = Object.values(erased).reduce((a, b) => a + b, 0);
  return {
    object: "privacy_erasure" as const,
    id,
    livemode: ctx.principal.livemode,
    status: total > 0 ? ("erased" as const) : ("nothing_to_erase" as const),
    erased,
    kept,
    remaining: remaining || moreEvents,
    dunning_paused_invoices: pausedIds,
    created_at: now,
  };
}


/** The reason as the audit trail keeps it: the payer's email, if the partner wrote it there, masked too. */
function maskEmail(text: string, email: string, masked: string): string {
  return text.replace(new RegExp(email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), masked);
}
