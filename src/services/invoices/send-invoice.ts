import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { invoices, paymentLinks } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { PAYABLE_INVOICE_STATUSES } from "../../domain/invoice-status";
import { PAYMENT_METHODS } from "../../domain/payment-intent";
import { Conflict } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { paymentLinkUrls } from "../../lib/page-urls";
import { randomToken } from "../../lib/crypto";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { presentMessage } from "../messages/present";
import { messageStatements, publishMessages, type MessageRequest } from "../messages/enqueue";
import { createPaymentLink } from "../payment-links/create-payment-link";
import { Channel, linkStillOpen, MessageLocale, queuedMessage, Recipient, recipientFor, type MessageRow } from "../payment-links/outreach";
import { presentPaymentLink } from "../payment-links/present";
import { scoped, type OrganizationScope } from "../tenancy";
import { findInvoice, invoiceWhere } from "./get-invoice";
import { unsealPayer } from "./payer";
import { presentInvoiceWith } from "./present";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

export const SendInvoiceInput = z
  .strictObject({ channel: Channel, to: Recipient.optional(), locale: MessageLocale.optional() })
  .openapi("InvoiceSend", { example: { channel: "email", locale: "fr" } });

/**
 * Sends an issued invoice to its payer: amount due, due date, the payment page and (email) the
 * Factur-X PDF. Without an active link, one is created first with every payment method, in its
 * own batch (the link is a valid object on its own; a retry finds and reuses it). Then one batch
 * writes the message, the link's `sent_at`, the audit entry and `invoice.sent`, all guarded on the
 * invoice still being payable and the link still open. Every refusal (status, recipient, phone
 * number, SMS not configured) comes before the link is created: nothing is written.
 */
export async function sendInvoice({ ctx, organizationId: scope, id, input }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; input: z.infer<typeof SendInvoiceInput> }) {
  const { row } = await findInvoice(ctx, scope, id);
  // The invoice's own organization (X-Entity-Id is optional here): what the batch writes and checks.
  const organizationId = row.organization_id;
  if (row.status === "draft") throw new Conflict("A draft invoice cannot be sent: issue it first (POST /v1/invoices/{id}/issue).", "invoice_not_issued");
  if (!(PAYABLE_INVOICE_STATUSES as readonly string[]).includes(row.status)) {
    throw new Conflict(`A ${row.status} invoice has nothing left to pay: it cannot be sent.`, "invoice_not_sendable");
  }
  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, id, row.payer_encrypted);
  const to = recipientFor(payer, input.channel, input.to);
  const locale = input.locale ?? "fr";
  const request = (payUrl: string): MessageRequest => ({
    organizationId,
    channel: input.channel,
    to,
    locale,
    template: "invoice",
    data: { payerName: payer.name, invoiceNumber: row.invoice_number, amountDue: row.amount_due, dueDate: row.due_date, payUrl },
    related: { type: "invoice", id },
    attachments: [{ kind: "invoice_pdf", id }],
  });

  const [open] = await ctx.db
    .select()
    .from(paymentLinks)
    .where(and(scoped(ctx, paymentLinks, organizationId), eq(paymentLinks.invoice_id, id), eq(paymentLinks.status, "active"), gt(paymentLinks.expires_at, ctx.now)))
    .orderBy(asc(paymentLinks.created_at), asc(paymentLinks.id))
    .limit(1);
  let link = open ? presentPaymentLink(open, ctx.env.PUBLIC_BASE_URL) : null;
  if (!link) {
    // The message's own checks (recipient, SMS availability) run before the link is written.
    await messageStatements(ctx, request(paymentLinkUrls(ctx.env.PUBLIC_BASE_URL, randomToken(32)).payment_page_url));
    link = await createPaymentLink({ ctx, organizationId, input: { invoice_id: id, payment_methods: [...PAYMENT_METHODS] } });
  }

  const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${invoiceWhere(ctx, organizationId, id)} AND ${statusIn(invoices.status, PAYABLE_INVOICE_STATUSES)}) AND ${linkStillOpen(ctx, organizationId, link.id)}`;
  const message = await messageStatements(ctx, request(link.payment_page_url), guard);
  const eventId = newId("event");
  const invoice = presentInvoiceWith(row, payer);
  const statements: BatchItem[] = [
    ...message.statements,
    auditEntry(ctx, { organizationId, resourceType: "invoice", resourceId: id, action: "sent", before: null, after: { channel: input.channel, locale, message_id: message.id, payment_link_id: link.id } }, guard),
    eventEntry(
      ctx,
      await sealedEvent(ctx, {
        id: eventId,
        organizationId,
        type: "invoice.sent",
        data: { invoice_id: id, message_id: message.id, channel: input.channel, locale, payment_link_id: link.id, invoice },
      }),
      guard,
    ),
    ctx.db
      .update(paymentLinks)
      .set({ sent_at: sql`coalesce(${paymentLinks.sent_at}, ${ctx.now})`, updated_at: ctx.now, version: sql`${paymentLinks.version} + 1` })
      .where(and(eq(paymentLinks.id, link.id), scoped(ctx, paymentLinks, organizationId), guard)),
    queuedMessage(ctx, organizationId, message.id),
    ctx.db.select().from(paymentLinks).where(and(eq(paymentLinks.id, link.id), scoped(ctx, paymentLinks, organizationId))),
    ctx.db.select({ status: invoices.status }).from(invoices).where(invoiceWhere(ctx, organizationId, id)),
  ];
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const [queued] = results.at(-3) as MessageRow[];
  const [linkAfter] = results.at(-2) as (typeof paymentLinks.$inferSelect)[];
  if (!queued || !linkAfter) {
    // Paid, cancelled or the link closed between the read and the batch.
    const [now] = results.at(-1) as { status: string }[];
    throw new Conflict(`The invoice is ${now?.status ?? "gone"} or its payment link closed meanwhile: nothing was sent.`, "invoice_not_sendable");
  }
  publishMessages(ctx, [message.id]);
  publishEvents(ctx, [eventId]);
  return { object: "invoice_send" as const, invoice, payment_link: presentPaymentLink(linkAfter, ctx.env.PUBLIC_BASE_URL), message: presentMessage(queued) };
}
