import { z } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { messages, paymentLinks } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { BusinessRule } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { findInvoice } from "../invoices/get-invoice";
import { unsealPayer } from "../invoices/payer";
import { scoped } from "../tenancy";
import { unsealRequestPayer } from "./request-payer";

/** What the payer-facing send operations share: the channel, an explicit recipient, the language. */
export const Channel = z.enum(["email", "sms"]).openapi({ description: "`email` (with the invoice's PDF where there is one; none for a payment request) or `sms` (one 160-character text with the link)." });
export const Recipient = z
  .string()
  .min(1)
  .max(254)
  .openapi({ description: "Email address or phone number (E.164, or French national). Default: the payer's email (the invoice's, or the payment request's), or phone for `sms`.", example: "jean.dupont@example.com" });
export const MessageLocale = z.enum(["fr", "en"]).openapi({ description: "The message's language. Default `fr`." });

/**
 * Where a message goes: the explicit `to`, else the payer's email (or phone for SMS). Nothing to
 * send to → 422 recipient_missing, before anything is written.
 */
export function recipientFor(payer: { email?: string | null; phone?: string | null }, channel: "email" | "sms", to: string | undefined): string {
  const fallback = channel === "email" ? payer.email : payer.phone;
  const recipient = to ?? fallback;
  if (!recipient) {
    throw new BusinessRule(
      channel === "sms" ? "The payer has no phone number: give `to`, or send by email." : "The payer has no email address: give `to`, or send by SMS.",
      "recipient_missing",
      "to",
    );
  }
  return recipient;
}

/** The reminder that fits the invoice's due date, read in Paris: before, on, or after it. */
export function reminderTemplate(dueDate: string | null, today = parisToday()) {
  if (dueDate === null || dueDate === today) return "reminder_due" as const;
  return dueDate > today ? ("reminder_before_due" as const) : ("reminder_overdue" as const);
}

/** A link the payer can still pay with: active and not past its expiry (the expiry cron may lag). */
export function linkStillOpen(ctx: ServiceContext, organizationId: string, linkId: string): SQL {
  return sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${and(eq(paymentLinks.id, linkId), scoped(ctx, paymentLinks, organizationId))} AND ${paymentLinks.status} = 'active' AND ${paymentLinks.expires_at} > ${ctx.now})`;
}

/** The message just queued, read in the same batch that wrote it. */
export function queuedMessage(ctx: ServiceContext, organizationId: string, id: string) {
  return ctx.db.select().from(messages).where(and(eq(messages.id, id), scoped(ctx, messages, organizationId)));
}

export type MessageRow = typeof messages.$inferSelect;

type LinkRow = typeof paymentLinks.$inferSelect;

/** Whom a link's messages address and what they name: the invoice (its payer, number, due date) or, for a request, the link's own sealed payer and description. */
export interface LinkSubject {
  payer: { name: string; email?: string | null; phone?: string | null };
  invoice: { id: string; invoice_number: string | null; due_date: string | null } | null;
  description: string | null;
}

export async function linkSubject(ctx: ServiceContext, organizationId: string, link: LinkRow): Promise<LinkSubject> {
  if (link.invoice_id !== null) {
    const { row: invoice } = await findInvoice(ctx, organizationId, link.invoice_id);
    const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
    return { payer, invoice: { id: invoice.id, invoice_number: invoice.invoice_number, due_date: invoice.due_date }, description: link.description };
  }
  // A request always has its payer (creation requires it); an absent one would be a corrupt row.
  if (!link.payer_encrypted) throw new Error(`payment request ${link.id} has no sealed payer`);
  const payer = await unsealRequestPayer(ctx.env.ENCRYPTION_KEY, link.id, link.payer_encrypted);
  return { payer, invoice: null, description: link.description };
}
