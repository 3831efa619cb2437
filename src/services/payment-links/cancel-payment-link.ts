import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { messages } from "../../db/schema";
import type { ServiceContext } from "../context";
import { presentMessage } from "../messages/present";
import { messageStatements, publishMessages } from "../messages/enqueue";
import { linkSubject, MessageLocale, queuedMessage, type MessageRow } from "./outreach";
import { findPaymentLink, revokePaymentLink } from "./query";
import { scoped, type OrganizationScope } from "../tenancy";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

export const CancelPaymentLinkInput = z
  .strictObject({
    notify: z.boolean().optional().openapi({ description: "Tell the payer by email that the link is cancelled, if it had been sent to them (and they have an email address). Default true." }),
    locale: MessageLocale.optional(),
  })
  .openapi("PaymentLinkCancel", { example: { notify: true } });

/**
 * Revokes the link exactly as `DELETE /v1/payment_links/{id}` does (through its intent's Durable
 * Object, which refuses once money is on its way), then, if the link had been sent and `notify`
 * holds, emails the payer the cancellation (seed 003: "un e-mail d'annulation sera envoyé") at the
 * invoice payer's address, or the payment request payer's (a request payer without an email, sent
 * by SMS, gets no notice). The message is prepared before the revocation (a refusal writes
 * nothing) and written once per link whatever the retries: its insert is guarded on no
 * cancellation notice existing for the link. A link already revoked is answered as it is, with no
 * new notice.
 */
export async function cancelPaymentLink({ ctx, organizationId: scope, id, input }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; input: z.infer<typeof CancelPaymentLinkInput> }) {
  const link = await findPaymentLink(ctx, scope, id);
  // The link's own organization (X-Entity-Id is optional here): what the batch writes.
  const organizationId = link.organization_id;
  const notify = (input.notify ?? true) && link.status === "active" && link.sent_at !== null;
  let message: { id: string; statements: BatchItem[] } | null = null;
  if (notify) {
    const { payer, invoice, description } = await linkSubject(ctx, organizationId, link);
    const noNoticeYet = sql`NOT EXISTS (SELECT 1 FROM ${messages} WHERE ${and(scoped(ctx, messages, organizationId), eq(messages.related_type, "payment_link"), eq(messages.related_id, id), eq(messages.template, "link_cancelled"))})`;
    // A request's payer may have no email (sent by SMS): then there is no address to notify, and the link is only revoked.
    if (payer.email) {
      message = await messageStatements(
        ctx,
        {
          organizationId,
          channel: "email",
          to: payer.email,
          locale: input.locale ?? "fr",
          template: "link_cancelled",
          data: { payerName: payer.name, amount: link.amount, currency: link.currency, invoiceNumber: invoice?.invoice_number ?? null, description },
          related: { type: "payment_link", id },
        },
        noNoticeYet,
      );
    }
  }
  const revoked = await revokePaymentLink({ ctx, organizationId, id });
  if (!message) return { object: "payment_link_cancel" as const, payment_link: revoked, message: null };
  const statements: BatchItem[] = [...message.statements, queuedMessage(ctx, organizationId, message.id)];
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const [queued] = results.at(-1) as MessageRow[];
  if (queued) publishMessages(ctx, [message.id]);
  return { object: "payment_link_cancel" as const, payment_link: revoked, message: queued ? presentMessage(queued) : null };
}
