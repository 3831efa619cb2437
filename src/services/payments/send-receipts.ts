import { and, asc, eq, gte, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { invoices, messages, organizations, payments } from "../../db/schema";
import { log } from "../../lib/log";
import { systemContext, type ServiceContext } from "../context";
import { unsealPayer } from "../invoices/payer";
import { messageStatements, publishMessages } from "../messages/enqueue";
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
 * Receipts ("ticket de paiement", issue 13): every payment of the last 48 hours whose organization
 * has `receipts.email` on and that has no receipt message yet gets one, emailed to its invoice's
 * payer with the receipt PDF. The payment intent's projection writes the ledger entry inside the
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
    .where(and(gte(payments.paid_at, since), noReceiptYet(payments.id), receiptsOn(), options.tenant ? scoped(options.tenant, payments, ANY_ORGANIZATION) : undefined))
    .orderBy(asc(payments.paid_at), asc(payments.id))
    .limit(BATCH);
  if (due.length === 0) return { receipts_queued: 0 };

  const statements: BatchItem[] = [];
  const queued: { ctx: ServiceContext; id: string }[] = [];
  for (const payment of due) {
    const ctx = systemContext(base, { partnerId: payment.partner_id, livemode: payment.livemode }, RECEIPTS_JOB);
    try {
      const [invoice] = await ctx.db.select().from(invoices).where(and(eq(invoices.id, payment.invoice_id), scoped(ctx, invoices, payment.organization_id)));
      if (!invoice) continue;
      const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
      const thisPayment = and(eq(payments.id, payment.id), scoped(ctx, payments, payment.organization_id));
      const guard = sql`EXISTS (SELECT 1 FROM ${payments} WHERE ${thisPayment} AND ${noReceiptYet(payment.id)} AND ${receiptsOn()})`;
      const message = await messageStatements(
        ctx,
        {
          organizationId: payment.organization_id,
          channel: "email",
          to: payer.email,
          locale: "fr",
          template: "receipt",
          data: { payerName: payer.name, amount: payment.amount, paidAt: payment.paid_at, paymentId: payment.id, invoiceNumber: invoice.invoice_number },
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
