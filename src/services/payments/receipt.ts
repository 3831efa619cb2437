import { and, eq, sql } from "drizzle-orm";
import { statusIn } from "../../db/status-sql";
import { COLLECTED_PAYMENT_STATUSES } from "../../domain/payment";
import { invoices, organizations, paymentIntents, paymentLinks, payments } from "../../db/schema";
import type { Mentions } from "../../domain/invoice-mentions";
import type { ReceiptDocument } from "../../documents/model";
import { documentEngine } from "../documents/engine";
import { Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { sellerFromMentions, sellerFromOrganization } from "../documents/models";
import { unsealPayer } from "../invoices/payer";
import { organizationWhere } from "../organizations/get-organization";
import { unsealRequestPayer } from "../payment-links/request-payer";
import { scoped, type OrganizationScope } from "../tenancy";

type PaymentRow = typeof payments.$inferSelect;

/** A payment request's receipt number: `DP-` ("demande de paiement") and the payment's own id, upper-cased. */
export function requestReceiptNumber(paymentId: string): string {
  return `DP-${paymentId.replace(/^pay-/, "").toUpperCase()}`;
}

/**
 * GET /v1/payments/{id}/receipt: the "ticket de paiement" of one payment, rendered on each call
 * from the ledger entry (a receipt is not an invoice: not archived). An invoice's payment is
 * numbered after the invoice and the payment's rank on it (`FAC-2026-00001-R1`): stable, since
 * ledger entries are never removed, and readable by the payer and the régisseur alike. A payment
 * request has no invoice and at most one payment (one link, one intent, one ledger entry): its
 * receipt is numbered after the payment's id (`DP-0193A4B2-…`), unique by construction and stable,
 * names the request's description and payer, and prints the organization as it is now. A captured
 * card hold's receipt is of the captured amount (the ledger entry's), with the authorized amount.
 */
export async function getPaymentReceipt({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("payment", id)) throw new NotFound("payment", id, "id");
  const thePayment = and(eq(payments.id, id), scoped(ctx, payments, organizationId));
  const [rows, invs, ranks, intents] = await ctx.db.batch([
    ctx.db.select().from(payments).where(thePayment),
    ctx.db
      .select()
      .from(invoices)
      .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} = (SELECT ${payments.invoice_id} FROM ${payments} WHERE ${thePayment})`)),
    // Rank and running total of this payment among its invoice's payments, in the order they
    // entered the ledger (not their date of receipt: a cheque recorded late with an earlier date
    // must not renumber receipts already handed out). The total counts money received only.
    ctx.db
      .select({
        rank: sql<number>`count(*)`,
        paid: sql<number>`coalesce(sum(CASE WHEN ${statusIn(payments.status, COLLECTED_PAYMENT_STATUSES)} THEN ${payments.amount} ELSE 0 END), 0)`,
      })
      .from(payments)
      .where(
        and(
          scoped(ctx, payments, organizationId),
          sql`${payments.invoice_id} = (SELECT ${payments.invoice_id} FROM ${payments} WHERE ${thePayment})`,
          sql`(${payments.created_at}, ${payments.id}) <= (SELECT ${payments.created_at}, ${payments.id} FROM ${payments} WHERE ${thePayment})`,
        ),
      ),
    // A hold's authorized amount (what the capture was taken from).
    ctx.db
      .select({ captureMethod: paymentIntents.capture_method, amountAuthorized: paymentIntents.amount_authorized })
      .from(paymentIntents)
      .where(and(scoped(ctx, paymentIntents, organizationId), sql`${paymentIntents.id} = (SELECT ${payments.payment_intent_id} FROM ${payments} WHERE ${thePayment})`)),
  ]);
  const payment = rows[0];
  if (!payment) throw new NotFound("payment", id, "id");
  // A receipt says money was received: none for a payment still on its way, failed or released.
  if (!(COLLECTED_PAYMENT_STATUSES as readonly string[]).includes(payment.status) && payment.status !== "voided") {
    throw new Conflict(`The payment is ${payment.status}: a receipt is issued once the money is received.`, "payment_not_completed");
  }
  const intent = intents[0];
  const hold = intent?.captureMethod === "manual" ? { authorized_amount: intent.amountAuthorized } : {};
  const common = {
    paid_at: payment.paid_at,
    currency: payment.currency as ReceiptDocument["currency"],
    amount: payment.amount,
    refunded_amount: payment.refunded_amount,
    method: payment.method,
    reference: payment.id,
    ...hold,
  };
  if (payment.invoice_id === null) return requestReceipt(ctx, payment.organization_id, payment, common);

  const invoice = invs[0];
  if (!invoice || !invoice.invoice_number) throw new NotFound("payment", id, "id");
  const payer = await unsealPayer(ctx.env.ENCRYPTION_KEY, invoice.id, invoice.payer_encrypted);
  const rank = Number(ranks[0]?.rank ?? 1);
  const paidSoFar = Number(ranks[0]?.paid ?? payment.amount);
  const payable = invoice.total_amount - invoice.deposits_amount - invoice.credited_amount;
  const number = `${invoice.invoice_number}-R${rank}`;
  const doc: ReceiptDocument = {
    ...common,
    number,
    seller: sellerFromMentions(invoice.mentions as unknown as Mentions),
    payer: { name: payer.name, email: payer.email },
    pays: { kind: "invoice", number: invoice.invoice_number, total_incl_tax: invoice.total_amount, amount_due_after: Math.max(0, payable - paidSoFar) },
  };
  return render(doc, payment);
}

async function requestReceipt(ctx: ServiceContext, organizationId: string, payment: PaymentRow, common: Omit<ReceiptDocument, "number" | "seller" | "payer" | "pays">) {
  // A request is paid through its link; a ledger entry with neither invoice nor link names no payer.
  if (payment.payment_link_id === null) throw new NotFound("payment", payment.id, "id");
  const [links, orgs] = await ctx.db.batch([
    ctx.db.select().from(paymentLinks).where(and(eq(paymentLinks.id, payment.payment_link_id), scoped(ctx, paymentLinks, organizationId))),
    ctx.db.select().from(organizations).where(organizationWhere(ctx, organizationId)),
  ]);
  const link = links[0];
  const org = orgs[0];
  if (!link?.payer_encrypted || !org) throw new NotFound("payment", payment.id, "id");
  const payer = await unsealRequestPayer(ctx.env.ENCRYPTION_KEY, link.id, link.payer_encrypted);
  const doc: ReceiptDocument = {
    ...common,
    number: requestReceiptNumber(payment.id),
    seller: sellerFromOrganization(org, null),
    payer: { name: payer.name, email: payer.email ?? null },
    pays: { kind: "request", description: link.description ?? "" },
  };
  return render(doc, payment);
}

async function render(doc: ReceiptDocument, payment: PaymentRow) {
  const bytes = await (await documentEngine()).renderReceiptPdf(doc, { created_at: payment.paid_at, document_id: payment.id });
  return { bytes, contentType: "application/pdf" as const, filename: `recu-${doc.number}.pdf`, sha256: null };
}
