import { and, asc, eq, gte, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { invoices, messages, organizations, paymentLinks, payments } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { COLLECTED_PAYMENT_STATUSES } from "../../domain/payment";
import { log } from "../../lib/log";
import { systemContext, type ServiceContext } from "../context";
import { unsealPayer } from "../invoices/payer";
import { messageStatements, publishMessages } from "../messages/enqueue";
import { unsealRequestPayer } from "../payment-links/request-payer";
import type { SweepBase } from "../sweeps";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

export const RECEIPTS_JOB = "receipts";
/** Payments older than this get no receipt: on a first deploy (or after a long outage) no payer receives old news. */
export const RECEIPT_WINDOW_HOURS = 48;
const BATCH = 25;

/** No receipt yet for this payment (any status: a failed send is retried by the messages queue, not re-created). */
function noReceiptYet(paymentId: SQLWrapper | string): SQL {
  // tenancy-exempt: correlated to the payment row, on its own partner and mode (the payment is scoped by its caller).
  return sql`NOT EXISTS (SELECT 1 FROM ${messages} WHERE ${messages.related_type} = 'payment' AND ${messages.related_id} = ${paymentId} AND ${messages.template} = 'receipt' AND ${messages.partner_id} = ${payments.partner_id} AND ${messages.livemode} = ${payments.livemode})`;
}

/** The payment's organization still wants receipts emailed (checked again inside the writing batch). */
function receiptsOn(): SQL {
  // tenancy-exempt: correlated to the payment row: its own organization, partner and mode.
  return sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${payments.organization_id} AND ${organizations.partner_id} = ${payments.partner_id} AND ${organizations.livemode} = ${payments.livemode} AND ${organizations.receipts_email} = 1)`;
}

/**
 * Someone to email: an invoice's payer always has an address; a payment request's payer only if
 * one was given (its blind index is set exactly then), so a request paid by an SMS-only payer is
 * not picked up every minute for nothing.
 */
function hasEmailRecipient(): SQL {
  // tenancy-exempt: correlated to the payment row: its own link, partner and mode.
  return sql`(${payments.invoice_id} IS NOT NULL OR EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${paymentLinks.id} = ${payments.payment_link_id} AND ${paymentLinks.partner_id} = ${payments.partner_id} AND ${paymentLinks.livemode} = ${payments.livemode} AND ${paymentLinks.payer_email_hash} IS NOT NULL))`;
}

/**
 * Receipts ("ticket de paiement", issue 13): every payment of the last 48 hours whose organization
 * has `receipts.email` on and that has no receipt message yet gets one, emailed to its invoice's
 * payer (or, for a payment request without an invoice, to the request's payer, naming the
 * description) with the receipt PDF. The payment intent's projection writes the ledger entry inside the
 * Durable Object's world, which must not render or seal messages; this job, run by the minute
 * cron, turns new ledger entries into receipts instead. Once per payment whatever the overlaps:
 * each insert is guarded, inside its batch, on no receipt existing for the payment. Scoped to one
 * tenant when given (the sandbox); all tenants from cron.
 */
export async function sendDueReceipts(base: SweepBase, options: { now: Date; tenant?: { partnerId: string; livemode: boolean } }): Promise<{ receipts_queued: number }> {
  const since = new Date(options.now.getTime() - RECEIPT_WINDOW_HOURS * 3_600_000).toISOString();
  // tenancy-exempt: from cron the job covers every tenant (the sandbox scopes it to its caller); each payment is then handled under its own tenant.
  const due = await base.db
    .select()
    .from(payments)
    .where(and(gte(payments.paid_at, since), statusIn(payments.status, COLLECTED_PAYMENT_STATUSES), noReceiptYet(payments.id), receiptsOn(), hasEmailRecipient(), options.tenant ? scoped(options.tenant, payments, ANY_ORGANIZATION) : undefined))
    .orderBy(asc(payments.paid_at), asc(payments.id))
    .limit(BATCH);
  if (due.length === 0) return { receipts_queued: 0 };

  const statements: BatchItem[] = [];
  const queued: { ctx: ServiceContext; id: string }[] = [];
  for (const payment of due) {
    const ctx = systemContext(base, { partnerId: payment.partner_id, livemode: payment.livemode }, RECEIPTS_JOB);
    try {
      const subject = await receiptSubject(ctx, payment);
      const email = subject?.payer.email;
      if (!subject || !email) continue;
      const { payer } = subject;
      const thisPayment = and(eq(payments.id, payment.id), scoped(ctx, payments, payment.organization_id));
      const guard = sql`EXISTS (SELECT 1 FROM ${payments} WHERE ${thisPayment} AND ${noReceiptYet(payment.id)} AND ${receiptsOn()})`;
      const message = await messageStatements(
        ctx,
        {
          organizationId: payment.organization_id,
          channel: "email",
          to: email,
          locale: "fr",
          template: "receipt",
          data: { payerName: payer.name, amount: payment.amount, currency: payment.currency, paidAt: payment.paid_at, paymentId: payment.id, invoiceNumber: subject.invoiceNumber, description: subject.description },
          related: { type: "payment", id: payment.id },
          attachments: [{ kind: "receipt_pdf", id: payment.id }],
        },
        guard,
      );
      statements.push(...message.statements);
      queued.push({ ctx, id: message.id });
    } catch (err) {
      // One payment must not hold back the others; it is tried again next minute (within the window).
      log.error("receipt not prepared", { payment_id: payment.id, error: err });
    }
  }
  if (statements.length === 0) return { receipts_queued: 0 };
  await base.db.batch(statements as [BatchItem, ...BatchItem[]]);
  // A message whose guard lost (a concurrent run wrote it) was not written: the queue consumer
  // finds no row for its id and drops it.
  // tenancy-exempt: the ids were minted just above, each under its own tenant.
  const written = await base.db
    .select({ id: messages.id })
    .from(messages)
    .where(sql`${messages.id} IN (${sql.join(queued.map((q) => sql`${q.id}`), sql`, `)})`);
  const ids = new Set(written.map((w) => w.id));
  for (const { ctx, id } of queued) if (ids.has(id)) publishMessages(ctx, [id]);
  return { receipts_queued: ids.size };
}

/** Whom a payment's receipt goes to and what it names: its invoice's payer and number, or its request's payer and description. */
async function receiptSubject(
  ctx: ServiceContext,
  payment: typeof payments.$inferSelect,
): Promise<{ payer: { name: string; email?: string | null }; invoiceNumber: string | null; description: string | null } | null> {
  if (payment.invoice_id !== null) {
    const [invoice] = await ctx.db.select().from(invoices).where(and(eq(invoices.id, payment.invoice_id), scoped(ctx, invoices, payment.organization_id)));
    if (!invoice) return null;
    const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
    return { payer, invoiceNumber: invoice.invoice_number, description: null };
  }
  if (payment.payment_link_id === null) return null;
  const [link] = await ctx.db.select().from(paymentLinks).where(and(eq(paymentLinks.id, payment.payment_link_id), scoped(ctx, paymentLinks, payment.organization_id)));
  if (!link?.payer_encrypted) return null;
  const payer = await unsealRequestPayer(ctx.env.ENCRYPTION_KEY, link.id, link.payer_encrypted);
  return { payer, invoiceNumber: null, description: link.description };
}
