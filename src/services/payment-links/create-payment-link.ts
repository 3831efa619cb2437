import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { insertWhere } from "../../db/guarded";
import { bankAccounts, invoices, paymentIntents, paymentLinks } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { PAYABLE_INVOICE_STATUSES } from "../../domain/invoice-status";
import { PAYMENT_METHODS, type IntentState } from "../../domain/payment-intent";
import { randomToken } from "../../lib/crypto";
import { BusinessRule, Conflict, NotFound, ValidationError } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, type ServiceContext } from "../context";
import { coveringKycIdOf, verificationStatusOf, type VerificationStatus } from "../bank-accounts/verification";
import { intentRow } from "../../db/projection/payment-intent";
import { owner, scoped } from "../tenancy";
import { presentPaymentLink, type PaymentLinkRow } from "./present";

export const PaymentMethodSchema = z.enum(PAYMENT_METHODS).openapi({ description: "`sepa_credit`: SEPA transfer by open banking (Aiia); `card`." });

export const CreatePaymentLinkInput = z
  .strictObject({
    invoice_id: z.string().openapi({ example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    payment_methods: z.array(PaymentMethodSchema).min(1).max(2).openapi({ example: ["sepa_credit", "card"] }),
    amount: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "For a partial payment, in cents. Default: what remains payable (amount due minus other active links)." }),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the link stops working. Default: 30 days from now.", example: "2026-12-31T23:59:59Z" }),
    return_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: "Where the payer goes back to, with `?payment_intent=…&status=…`. https in live mode.", example: "https://votreapp.fr/payment/success" }),
  })
  .openapi("PaymentLinkCreate", {
    example: {
      invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payment_methods: ["sepa_credit", "card"],
      return_url: "https://votreapp.fr/payment/success",
      expires_at: "2099-03-31T23:59:59Z",
    },
  });

export const DEFAULT_LINK_LIFETIME_DAYS = 30;

/**
 * A payment link and its payment intent, born together in ONE D1 batch (the latency budget: a
 * write is one batch plus at most one Durable Object call). The batch writes the link, the
 * intent's first projection, `payment_link.created` and the audit entry — only if the invoice is
 * payable and the link fits in what is still due once the other active links are counted (so an
 * invoice can never be paid more than its total), and in live mode only if the department's
 * default account is covered by a verified KYC. The amount (default: what remains payable) is
 * computed in SQL; the batch ends with reads that say why a refusal happened. Then the intent's
 * Durable Object is initialized (it initializes itself from D1 if this call is lost).
 */
export async function createPaymentLink({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreatePaymentLinkInput> }) {
  const livemode = ctx.principal.livemode;
  if (input.return_url && livemode && !input.return_url.startsWith("https://")) {
    throw new ValidationError("return_url must be https in live mode.", "return_url", "return_url_not_https");
  }
  const now = Date.now();
  const expiresAt = input.expires_at ? new Date(input.expires_at) : new Date(now + DEFAULT_LINK_LIFETIME_DAYS * 86_400_000);
  if (expiresAt.getTime() <= now) throw new ValidationError("expires_at must be in the future.", "expires_at", "expires_at_in_past");
  if (!isId("invoice", input.invoice_id)) throw new NotFound("invoice", input.invoice_id, "invoice_id");

  const invoiceId = input.invoice_id;
  const ownInvoice = and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId));
  const reserved = sql`(SELECT coalesce(sum(${paymentLinks.amount}), 0) FROM ${paymentLinks} WHERE ${paymentLinks.invoice_id} = ${invoiceId} AND ${scoped(ctx, paymentLinks, organizationId)} AND ${paymentLinks.status} = 'active')`;
  const available = sql`((SELECT ${invoices.amount_due} FROM ${invoices} WHERE ${ownInvoice}) - ${reserved})`;
  const amount = input.amount !== undefined ? sql`${input.amount}` : available;
  // Live money goes to the department's default account, so that account itself must be covered
  // by a verified KYC: a verification of another (or a former default) account does not count.
  const defaultAccount = sql`(SELECT ${bankAccounts.id} FROM ${bankAccounts} WHERE ${bankAccounts.department_id} = (SELECT ${invoices.department_id} FROM ${invoices} WHERE ${ownInvoice}) AND ${scoped(ctx, bankAccounts, organizationId)} AND ${bankAccounts.status} = 'active' AND ${bankAccounts.is_default} = 1)`;
  const accountVerification = verificationStatusOf(ctx, defaultAccount);
  const fits = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${ownInvoice} AND ${statusIn(invoices.status, PAYABLE_INVOICE_STATUSES)})
    AND ${amount} > 0 AND ${amount} <= ${available}${livemode ? sql` AND ${accountVerification} = 'verified'` : sql``}`;

  const nowIso = new Date(now).toISOString();
  const linkId = newId("payment_link");
  const theLink = and(eq(paymentLinks.id, linkId), scoped(ctx, paymentLinks, organizationId));
  const linkAmount = sql`(SELECT ${paymentLinks.amount} FROM ${paymentLinks} WHERE ${theLink})`;
  const linkExists = sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${theLink})`;
  const link: PaymentLinkRow = {
    id: linkId,
    ...owner(ctx),
    organization_id: organizationId,
    invoice_id: invoiceId,
    payment_intent_id: newId("payment_intent"),
    token: randomToken(32),
    amount: 0, // computed in SQL below
    currency: "EUR",
    payment_methods: [...new Set(input.payment_methods)],
    status: "active",
    return_url: input.return_url ?? null,
    expires_at: expiresAt.toISOString(),
    completed_at: null,
    revoked_at: null,
    sent_at: null,
    reminder_count: 0,
    last_reminded_at: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
  const intent: IntentState = {
    id: link.payment_intent_id,
    partner_id: link.partner_id,
    livemode,
    organization_id: organizationId,
    invoice_id: invoiceId,
    payment_link_id: linkId,
    amount: 0, // the link's amount, once known
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
  const draft = presentPaymentLink(link, ctx.env.PUBLIC_BASE_URL);
  const secretless = { ...draft, payment_page_url: "[secret]", qr_code_data: "[secret]", qr_code_svg_url: "[secret]" };
  const eventId = newId("event");
  const results = await ctx.db.batch([
    insertWhere(ctx.db, paymentLinks, { ...link, amount: amount as unknown as number, currency: sql`(SELECT ${invoices.currency} FROM ${invoices} WHERE ${ownInvoice})` as unknown as string }, fits),
    insertWhere(ctx.db, paymentIntents, { ...intentRow(intent), amount: linkAmount as unknown as number }, linkExists),
    eventEntry(
      ctx,
      { id: eventId, organizationId, type: "payment_link.created", data: { payment_link_id: linkId, payment_link: draft }, assigned: { "payment_link.amount": linkAmount } },
      linkExists,
    ),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "payment_link",
        resourceId: linkId,
        action: "created",
        before: null,
        after: null,
        changesSql: sql`json_object('before', NULL, 'after', json_set(${JSON.stringify(secretless)}, '$.amount', ${linkAmount}))`,
      },
      linkExists,
    ),
    ctx.db.select().from(paymentLinks).where(theLink),
    // Why a refusal happened (read in the same round trip, after the guarded writes).
    ctx.db.select({ status: invoices.status, amount_due: invoices.amount_due, reserved: sql<number>`${reserved}` }).from(invoices).where(ownInvoice),
    ctx.db
      .select({ account_id: sql<string | null>`${defaultAccount}`, verification_status: accountVerification, kyc_id: coveringKycIdOf(ctx, defaultAccount) })
      .from(invoices)
      .where(ownInvoice),
  ]);
  const created = results[4][0];
  if (!created) throw refusal(results[5][0], results[6][0], input.amount, livemode, invoiceId);

  publishEvents(ctx, [eventId]);
  ctx.defer(ctx.env.PAYMENT_INTENT.getByName(intent.id).init({ ...intent, amount: created.amount, currency: created.currency }));
  return presentPaymentLink(created, ctx.env.PUBLIC_BASE_URL);
}

/** The error of a refused link, from the state read in the same batch. */
function refusal(
  invoice: { status: string; amount_due: number; reserved: number } | undefined,
  payout: { account_id: string | null; verification_status: VerificationStatus; kyc_id: string | null } | undefined,
  requested: number | undefined,
  livemode: boolean,
  invoiceId: string,
): Error {
  if (!invoice) return new NotFound("invoice", invoiceId, "invoice_id");
  if (!(PAYABLE_INVOICE_STATUSES as readonly string[]).includes(invoice.status)) {
    return new Conflict(`A ${invoice.status} invoice cannot take a payment link (issue it first; paid and cancelled invoices take none).`, "invoice_not_payable", "invoice_id");
  }
  if (livemode && !payout?.account_id) {
    return new BusinessRule("The department needs a default bank account to be paid into.", "bank_account_required", "invoice_id");
  }
  if (livemode && payout?.account_id && payout.verification_status !== "verified") {
    if (payout.kyc_id) {
      return new BusinessRule(
        `The KYC ${payout.kyc_id} of the department's default bank account ${payout.account_id} is ${payout.verification_status}: live payment links need it verified.`,
        "kyc_not_verified",
        "invoice_id",
      );
    }
    return new BusinessRule(
      `The department's default bank account ${payout.account_id} is not verified: submit a KYC for it (POST /v1/departments/{id}/kyc) before live payment links.`,
      "bank_account_not_verified",
      "invoice_id",
    );
  }
  const available = Math.max(invoice.amount_due - Number(invoice.reserved), 0);
  return new BusinessRule(
    `Amount ${requested ?? available} exceeds what remains payable on this invoice: ${available} cents (amount due ${invoice.amount_due}, of which ${invoice.amount_due - available} already in active links).`,
    "amount_exceeds_due",
    "amount",
  );
}
