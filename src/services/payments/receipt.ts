import { and, eq, lte, sql } from "drizzle-orm";
import { invoices, payments } from "../../db/schema";
import type { Mentions } from "../../domain/invoice-mentions";
import type { ReceiptDocument } from "../../documents/model";
import { renderReceiptPdf } from "../../documents/pdf";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { sellerFromMentions } from "../documents/models";
import { unsealPayer } from "../invoices/payer";
import { scoped } from "../tenancy";

/**
 * GET /v1/payments/{id}/receipt: the "ticket de paiement" of one payment, rendered on each call
 * from the ledger entry and the invoice it pays (a receipt is not an invoice: not archived). Its
 * number is the invoice's followed by the payment's rank on it (`FAC-2026-00001-R1`): stable,
 * since ledger entries are never removed, and readable by the payer and the régisseur alike.
 */
export async function getPaymentReceipt({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  if (!isId("payment", id)) throw new NotFound("payment", id, "id");
  const thePayment = and(eq(payments.id, id), scoped(ctx, payments, organizationId));
  const [rows, invs, ranks] = await ctx.db.batch([
    ctx.db.select().from(payments).where(thePayment),
    ctx.db
      .select()
      .from(invoices)
      .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} = (SELECT ${payments.invoice_id} FROM ${payments} WHERE ${thePayment})`)),
    // Rank and running total of this payment among its invoice's payments, in payment order.
    ctx.db
      .select({ rank: sql<number>`count(*)`, paid: sql<number>`coalesce(sum(${payments.amount}), 0)` })
      .from(payments)
      .where(
        and(
          scoped(ctx, payments, organizationId),
          sql`${payments.invoice_id} = (SELECT ${payments.invoice_id} FROM ${payments} WHERE ${thePayment})`,
          lte(payments.paid_at, sql`(SELECT ${payments.paid_at} FROM ${payments} WHERE ${thePayment})`),
        ),
      ),
  ]);
  const payment = rows[0];
  const invoice = invs[0];
  if (!payment || !invoice || !invoice.invoice_number) throw new NotFound("payment", id, "id");
  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
  const rank = Number(ranks[0]?.rank ?? 1);
  const paidSoFar = Number(ranks[0]?.paid ?? payment.amount);
  const payable = invoice.total_amount - invoice.deposits_amount - invoice.credited_amount;
  const number = `${invoice.invoice_number}-R${rank}`;
  const doc: ReceiptDocument = {
    number,
    paid_at: payment.paid_at,
    currency: "EUR",
    amount: payment.amount,
    refunded_amount: payment.refunded_amount,
    method: payment.method,
    seller: sellerFromMentions(invoice.mentions as unknown as Mentions),
    payer: { name: payer.name, email: payer.email },
    pays: { kind: "invoice", number: invoice.invoice_number, total_incl_tax: invoice.total_amount, amount_due_after: Math.max(0, payable - paidSoFar) },
    reference: payment.id,
  };
  const bytes = await renderReceiptPdf(doc, { created_at: payment.paid_at, document_id: payment.id });
  return { bytes, contentType: "application/pdf" as const, filename: `recu-${number}.pdf`, sha256: null };
}
