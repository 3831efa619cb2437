import { and, eq, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { bankAccounts, invoices, kycVerifications, paymentIntents, paymentLinks } from "../../db/schema";
import type { IntentState, PaymentMethod } from "../../domain/payment-intent";
import { intentRow } from "../payment-intents/project";
import { randomToken } from "../../lib/crypto";
import { BusinessRule, Conflict, NotFound, ValidationError } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, type ServiceContext } from "../context";
import { presentPaymentLink, type PaymentLinkRow } from "./present";

export interface PaymentLinkInput {
  invoice_id: string;
  payment_methods: PaymentMethod[];
  amount?: number | undefined;
  expires_at?: string | undefined;
  return_url?: string | undefined;
}

const PAYABLE = ["issued", "partially_paid", "overdue"] as const;
export const DEFAULT_LINK_LIFETIME_DAYS = 30;

/**
 * A payment link and its payment intent, born together: one D1 batch writes the link, the
 * intent's first projection, `payment_link.created` and the audit entry — only if the invoice
 * is payable and the link fits in what is still due once the other active links are counted,
 * so an invoice can never be paid more than its total. Then the intent's Durable Object is
 * initialized (it initializes itself from D1 if this call is lost).
 */
export async function createPaymentLink({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: PaymentLinkInput }) {
  const livemode = ctx.principal.livemode;
  if (input.return_url && livemode && !input.return_url.startsWith("https://")) {
    throw new ValidationError("return_url must be https in live mode.", "return_url", "return_url_not_https");
  }
  const now = Date.now();
  const expiresAt = input.expires_at ? new Date(input.expires_at) : new Date(now + DEFAULT_LINK_LIFETIME_DAYS * 86_400_000);
  if (expiresAt.getTime() <= now) throw new ValidationError("expires_at must be in the future.", "expires_at", "expires_at_in_past");
  if (!isId("invoice", input.invoice_id)) throw new NotFound("invoice", input.invoice_id, "invoice_id");

  const [invoiceRows, reservedRows, kycRows, accountRows] = await ctx.db.batch([
    ctx.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.id, input.invoice_id), eq(invoices.organization_id, organizationId), eq(invoices.partner_id, ctx.principal.partnerId), eq(invoices.livemode, livemode))),
    ctx.db.select({ n: sql<number>`coalesce(sum(${paymentLinks.amount}), 0)` }).from(paymentLinks).where(and(eq(paymentLinks.invoice_id, input.invoice_id), eq(paymentLinks.status, "active"))),
    ctx.db
      .select({ status: kycVerifications.status })
      .from(kycVerifications)
      .innerJoin(invoices, eq(invoices.department_id, kycVerifications.department_id))
      .where(eq(invoices.id, input.invoice_id))
      .orderBy(sql`${kycVerifications.created_at} DESC`)
      .limit(1),
    ctx.db
      .select({ id: bankAccounts.id })
      .from(bankAccounts)
      .innerJoin(invoices, eq(invoices.department_id, bankAccounts.department_id))
      .where(and(eq(invoices.id, input.invoice_id), eq(bankAccounts.status, "active"), eq(bankAccounts.is_default, true))),
  ]);
  const invoice = invoiceRows[0];
  if (!invoice) throw new NotFound("invoice", input.invoice_id, "invoice_id");
  if (!(PAYABLE as readonly string[]).includes(invoice.status)) {
    throw new Conflict(`A ${invoice.status} invoice cannot take a payment link (issue it first; paid and cancelled invoices take none).`, "invoice_not_payable", "invoice_id");
  }
  if (livemode && kycRows[0]?.status !== "verified") {
    throw new BusinessRule("The department's KYC must be verified before live payment links.", "kyc_not_verified", "invoice_id");
  }
  if (livemode && accountRows.length === 0) {
    throw new BusinessRule("The department needs a default bank account to be paid into.", "bank_account_required", "invoice_id");
  }
  const available = invoice.amount_due - Number(reservedRows[0]?.n ?? 0);
  const amount = input.amount ?? available;
  if (amount <= 0 || amount > available) {
    throw new BusinessRule(
      `Amount ${amount} exceeds what remains payable on this invoice: ${Math.max(available, 0)} cents (amount due ${invoice.amount_due}, of which ${invoice.amount_due - available} already in active links).`,
      "amount_exceeds_due",
      "amount",
    );
  }

  const nowIso = new Date(now).toISOString();
  const link: PaymentLinkRow = {
    id: newId("payment_link"),
    partner_id: ctx.principal.partnerId,
    livemode,
    organization_id: organizationId,
    invoice_id: invoice.id,
    payment_intent_id: newId("payment_intent"),
    token: randomToken(32),
    amount,
    currency: invoice.currency,
    payment_methods: [...new Set(input.payment_methods)],
    status: "active",
    return_url: input.return_url ?? null,
    expires_at: expiresAt.toISOString(),
    completed_at: null,
    revoked_at: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
  const intent: IntentState = {
    id: link.payment_intent_id,
    partner_id: link.partner_id,
    livemode,
    organization_id: organizationId,
    invoice_id: invoice.id,
    payment_link_id: link.id,
    amount,
    currency: link.currency,
    status: "created",
    allowed_methods: link.payment_methods,
    selected_payment_method: null,
    provider: null,
    provider_reference: null,
    aiia_status: null,
    aiia_transaction_id: null,
    provider_status: null,
    amount_received: 0,
    refunded_amount: 0,
    failure_code: null,
    failure_message: null,
    completed_at: null,
    expires_at: expiresAt.getTime(),
    attempt: 0,
    version: 1,
    created_at: nowIso,
    updated_at: nowIso,
  };
  const presented = presentPaymentLink(link, ctx.env.PUBLIC_BASE_URL);
  // Re-checked inside the batch: payable, and this link still fits next to the active ones.
  const fits = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${invoices.id} = ${invoice.id} AND ${invoices.status} IN ('issued', 'partially_paid', 'overdue')
    AND ${invoices.amount_due} - (SELECT coalesce(sum(${paymentLinks.amount}), 0) FROM ${paymentLinks} WHERE ${paymentLinks.invoice_id} = ${invoice.id} AND ${paymentLinks.status} = 'active') >= ${amount})`;
  const eventId = newId("event");
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, paymentLinks, link, fits),
    insertWhere(ctx.db, paymentIntents, intentRow(intent), sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${paymentLinks.id} = ${link.id})`),
    eventEntry(ctx, { id: eventId, organizationId, type: "payment_link.created", data: { payment_link_id: link.id, payment_link: presented } }, sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${paymentLinks.id} = ${link.id})`),
    auditEntry(
      ctx,
      { organizationId, resourceType: "payment_link", resourceId: link.id, action: "created", before: null, after: { ...presented, payment_page_url: "[secret]", qr_code_data: "[secret]", qr_code_svg_url: "[secret]" } },
      sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${paymentLinks.id} = ${link.id})`,
    ),
  ]);
  if (changes(inserted) === 0) {
    throw new BusinessRule("Another payment link or payment changed what remains payable on this invoice; read it again.", "amount_exceeds_due", "amount");
  }
  publishEvents(ctx, [eventId]);
  ctx.defer(ctx.env.PAYMENT_INTENT.getByName(intent.id).init(intent));
  return presented;
}
