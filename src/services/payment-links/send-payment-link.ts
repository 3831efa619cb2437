import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { paymentLinks } from "../../db/schema";
import { Conflict } from "../../lib/errors";
import { auditEntry, type ServiceContext } from "../context";
import { presentMessage } from "../messages/present";
import { messageStatements, publishMessages, type MessageRequest } from "../messages/enqueue";
import { Channel, linkStillOpen, linkSubject, MessageLocale, queuedMessage, Recipient, recipientFor, reminderTemplate, type MessageRow } from "./outreach";
import { presentPaymentLink, type PaymentLinkRow } from "./present";
import { findPaymentLink } from "./query";
import { scoped, type OrganizationScope } from "../tenancy";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

export const SendPaymentLinkInput = z
  .strictObject({ channel: Channel, to: Recipient.optional(), locale: MessageLocale.optional() })
  .openapi("PaymentLinkSend", { example: { channel: "sms", to: "+33612345678" } });

export const RemindPaymentLinkInput = z
  .strictObject({ channel: Channel.optional().openapi({ description: "Default `email`." }), to: Recipient.optional(), locale: MessageLocale.optional() })
  .openapi("PaymentLinkRemind", { example: { channel: "email", locale: "fr" } });

/**
 * `send`: the payment_link message (the page, the amount, the expiry); `remind` (seed 003
 * "relance"): the reminder that fits the invoice's due date (before, on, after), counted on the
 * link. A payment request (no invoice) goes to its own payer and names its description; it has
 * no due date (the `reminder_due` wording) and no PDF to attach. Either way the message, the link's counters and the audit entry are one batch, guarded
 * on the link still being open: a completed, expired or revoked link → 409 not_remindable, and
 * nothing is written.
 */
export async function sendPaymentLink({
  ctx,
  organizationId: scope,
  id,
  input,
  kind,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof RemindPaymentLinkInput>;
  kind: "send" | "remind";
}) {
  const link = await findPaymentLink(ctx, scope, id);
  // The link's own organization (X-Entity-Id is optional here): what the batch writes and checks.
  const organizationId = link.organization_id;
  refuseClosed(link, ctx.now);
  const { payer, invoice, description } = await linkSubject(ctx, organizationId, link);
  const channel = input.channel ?? "email";
  const locale = input.locale ?? "fr";
  const payUrl = presentPaymentLink(link, ctx.env.PUBLIC_BASE_URL).payment_page_url;
  const base = { organizationId, channel, to: recipientFor(payer, channel, input.to), locale, related: { type: "payment_link" as const, id } };
  const currency = link.currency;
  // A request has no invoice: its description stands where the invoice number would, and no due date picks the reminder (→ reminder_due).
  const dueDate = invoice?.due_date ?? null;
  const request: MessageRequest =
    kind === "send"
      ? { ...base, template: "payment_link", data: { payerName: payer.name, amount: link.amount, currency, invoiceNumber: invoice?.invoice_number ?? null, description, hold: link.type === "preauth", payUrl, expiresAt: link.expires_at } }
      : { ...base, template: reminderTemplate(dueDate), data: { payerName: payer.name, invoiceNumber: invoice?.invoice_number ?? null, description, amountDue: link.amount, currency, dueDate, payUrl } };
  const open = linkStillOpen(ctx, organizationId, id);
  // The invoice's PDF goes with an email; a request has no document to attach.
  const message = await messageStatements(ctx, channel === "email" && invoice ? { ...request, attachments: [{ kind: "invoice_pdf", id: invoice.id }] } : request, open);

  const theLink = and(eq(paymentLinks.id, id), scoped(ctx, paymentLinks, organizationId));
  const counters =
    kind === "send"
      ? { sent_at: sql`coalesce(${paymentLinks.sent_at}, ${ctx.now})`, updated_at: ctx.now, version: sql`${paymentLinks.version} + 1` }
      : { sent_at: sql`coalesce(${paymentLinks.sent_at}, ${ctx.now})`, reminder_count: sql`${paymentLinks.reminder_count} + 1`, last_reminded_at: ctx.now, updated_at: ctx.now, version: sql`${paymentLinks.version} + 1` };
  // The message and the audit entry first: their guard reads the link before the update touches it.
  const statements: BatchItem[] = [
    ...message.statements,
    auditEntry(
      ctx,
      { organizationId, resourceType: "payment_link", resourceId: id, action: kind === "send" ? "sent" : "reminded", before: null, after: { channel, locale, template: request.template, message_id: message.id } },
      open,
    ),
    ctx.db.update(paymentLinks).set(counters).where(and(theLink, open)),
    queuedMessage(ctx, organizationId, message.id),
    ctx.db.select().from(paymentLinks).where(theLink),
  ];
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const [queued] = results.at(-2) as MessageRow[];
  const [after] = results.at(-1) as PaymentLinkRow[];
  if (!queued) refuseClosed(after ?? { ...link, status: "revoked" }, ctx.now, true);
  publishMessages(ctx, [message.id]);
  return { object: "payment_link_send" as const, payment_link: presentPaymentLink(after!, ctx.env.PUBLIC_BASE_URL), message: presentMessage(queued!) };
}

/** 409 not_remindable for a link the payer can no longer pay with. */
function refuseClosed(link: Pick<PaymentLinkRow, "status" | "expires_at">, now: string, always = false) {
  const expired = link.status === "expired" || (link.expires_at !== null && link.expires_at <= now);
  if (link.status === "active" && !expired && !always) return;
  // `always`: the batch's guard lost, so the link closed between the read and the write.
  const state = expired && link.status === "active" ? "expired" : link.status === "active" ? "closed" : link.status;
  throw new Conflict(`The payment link is ${state}: there is nothing left to send or remind.`, "not_remindable");
}
