import { z } from "@hono/zod-openapi";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { insertWhere } from "../../db/guarded";
import { bankAccounts, departments, invoices, paymentIntents, paymentLinks } from "../../db/schema";
import { statusIn } from "../../db/status-sql";
import { PAYABLE_INVOICE_STATUSES } from "../../domain/invoice-status";
import { PAYMENT_METHODS, type IntentState, type PaymentMethod } from "../../domain/payment-intent";
import { PAYMENT_CURRENCIES, PAYMENT_LINK_TYPES, PAYMENT_PAGE_STYLES, type PaymentCurrency, type PaymentLinkType } from "../../domain/payment-link";
import { randomToken } from "../../lib/crypto";
import { Cents } from "../../lib/fields";
import { nothingLeftToPay } from "../../domain/payment";
import { BusinessRule, Conflict, NotFound, ValidationError } from "../../lib/errors";
import { isId, newId, pairedId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, eventEntry, publishEvents, sealedEvent, type ServiceContext } from "../context";
import { coveringKycIdOf, verificationStatusOf, type VerificationStatus } from "../bank-accounts/verification";
import { intentRow } from "../../db/projection/payment-intent";
import { owner, scoped } from "../tenancy";
import { messageStatements, publishMessages } from "../messages/enqueue";
import { normalizeRecipient } from "../messages/recipient";
import { Channel, MessageLocale, Recipient } from "./outreach";
import { presentPaymentLink, redactRequestPayer, type PaymentLinkRow } from "./present";
import { RequestPayerSchema, requestPayerEmailHash, requestPayerNameHash, sealRequestPayer, type RequestPayer } from "./request-payer";

export const PaymentMethodSchema = z.enum(PAYMENT_METHODS).openapi({ description: "`sepa_credit`: SEPA transfer by open banking (Aiia); `card`." });

/** `send` at creation: the payment_link message, by email or SMS, to the request's payer (or `to`). */
export const SendAtCreationSchema = z
  .strictObject({
    channel: Channel,
    locale: MessageLocale.optional(),
    to: Recipient.optional().openapi({ description: "Email address or phone number. Default: the payer's email, or phone for `sms`." }),
  })
  .openapi("PaymentLinkSendAtCreation");

export const CreatePaymentLinkInput = z
  .strictObject({
    invoice_id: z
      .string()
      .optional()
      .openapi({ description: "The invoice to pay. Give either this, or `amount` + `description` + `payer` (a payment request without an invoice).", example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    payment_methods: z
      .array(PaymentMethodSchema)
      .min(1)
      .max(2)
      .optional()
      .openapi({ description: "Default: `[\"sepa_credit\", \"card\"]` in euros, `[\"card\"]` in another currency or for a hold (`type: preauth`).", example: ["sepa_credit", "card"] }),
    amount: Cents({ min: 1 })
      .optional()
      .openapi({
        description:
          "In cents. Required for a payment request. For an invoice's link, a partial payment; default: what remains payable (amount due minus other active links and pending holds).",
        example: 4500,
      }),
    currency: z
      .enum(PAYMENT_CURRENCIES)
      .optional()
      .openapi({ description: "A payment request's currency (default `EUR`). SEPA transfer is in euros only. An invoice's link takes its invoice's currency: not allowed with `invoice_id`." }),
    description: Text({ min: 1, max: 500 })
      .optional()
      .openapi({ description: "What the payer pays for, shown on the page and in the message. Required for a payment request; not allowed with `invoice_id`.", example: "Caution location salle des fêtes, 14 juin" }),
    payer: RequestPayerSchema.optional().openapi({ description: "Who is asked to pay. Required for a payment request; not allowed with `invoice_id` (the invoice has its payer)." }),
    department_id: z
      .string()
      .max(100)
      .optional()
      .openapi({
        description:
          "A payment request's department: its default bank account is paid into. Required in live mode (422 `department_required`), where that account must be covered by a verified KYC; optional in test mode. Not allowed with `invoice_id` (the invoice's department is used).",
        example: "dep-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      }),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the link stops working. Default: 30 days from now.", example: "2026-12-31T23:59:59Z" }),
    type: z
      .enum(PAYMENT_LINK_TYPES)
      .optional()
      .openapi({
        description:
          "`standard` (default): the payment is taken. `preauth`: a card hold (seed 003 \"caution\"): the card is authorized, not charged; the intent waits in `requires_capture` until `POST /v1/payment_intents/{id}/capture` (at most the authorized amount) or `/cancel`, and is released on its own at `capture_before` (authorization + 6 days 12 hours). Card only.",
      }),
    page: z.enum(PAYMENT_PAGE_STYLES).optional().openapi({ description: "`standard` (default) or `short`: the simplified hosted page (seed 003)." }),
    return_url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .openapi({ description: "Where the payer goes back to, with `?payment_intent=…&status=…`. https in live mode.", example: "https://votreapp.fr/payment/success" }),
    send: SendAtCreationSchema.optional().openapi({
      description:
        "A payment request only: sends the link at once (the `payment_link` message: description, amount, page, expiry) and sets `sent_at`. No recipient → 422 `recipient_missing`, and nothing is created.",
    }),
  })
  .openapi("PaymentLinkCreate", {
    example: {
      invoice_id: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b",
      payment_methods: ["sepa_credit", "card"],
      return_url: "https://votreapp.fr/payment/success",
      expires_at: "2099-03-31T23:59:59Z",
    },
  });

type CreateInput = z.infer<typeof CreatePaymentLinkInput>;

/** A payment request's own fields, once checked present. */
type RequestFields = { amount: number; currency: PaymentCurrency; description: string; payer: RequestPayer; department_id?: string };

/**
 * Exactly one kind: an invoice's link (`invoice_id`) or a payment request (`amount` +
 * `description` + `payer`). Both, or neither, or half a request → 400 naming the field.
 */
function kindOf(input: CreateInput): { invoiceId: string; request: null } | { invoiceId: null; request: RequestFields } {
  if (input.invoice_id !== undefined) {
    for (const field of ["description", "payer", "currency", "department_id", "send"] as const) {
      if (input[field] === undefined) continue;
      const why =
        field === "currency"
          ? "an invoice's link takes its invoice's currency"
          : field === "department_id"
            ? "an invoice's link is paid into its invoice's department"
            : field === "send"
              ? "send an invoice's link with POST /v1/payment_links/{id}/send or POST /v1/invoices/{id}/send"
              : "it belongs to a payment request without an invoice; the invoice has its own payer and lines";
      throw new ValidationError(`${field} is not allowed with invoice_id: ${why}.`, field);
    }
    return { invoiceId: input.invoice_id, request: null };
  }
  if (input.amount === undefined && input.description === undefined && input.payer === undefined) {
    throw new ValidationError("Give invoice_id (a link to pay an invoice), or amount, description and payer (a payment request without an invoice).", "invoice_id");
  }
  for (const field of ["amount", "description", "payer"] as const) {
    if (input[field] === undefined) throw new ValidationError(`A payment request without an invoice needs amount, description and payer: ${field} is missing.`, field);
  }
  return {
    invoiceId: null,
    request: { amount: input.amount!, currency: input.currency ?? "EUR", description: input.description!, payer: input.payer!, department_id: input.department_id },
  };
}

/** SEPA transfer only in euros; a hold only on a card. */
export function defaultPaymentMethods(currency: string, type: PaymentLinkType): PaymentMethod[] {
  return currency === "EUR" && type === "standard" ? ["sepa_credit", "card"] : ["card"];
}

export const DEFAULT_LINK_LIFETIME_DAYS = 30;

/**
 * A payment link and its payment intent, born together in ONE D1 batch (the latency budget: a
 * write is one batch plus at most one Durable Object call). The batch writes the link, the
 * intent's first projection, `payment_link.created` and the audit entry (and, for a request sent
 * at creation, the message) — for an invoice's link only if the invoice is payable and the link
 * fits in what is still due once the other active links and pending holds are counted (so an
 * invoice can never be paid more than its total); in live mode only if the department's default
 * account is covered by a verified KYC. The amount (default: what remains payable) is computed in
 * SQL; the batch ends with reads that say why a refusal happened. Then the intent's Durable Object
 * is initialized (it initializes itself from D1 if this call is lost).
 *
 * A payment request (seed 003 "demande de paiement") has no invoice: its amount, currency,
 * description and payer are its own; the payer is sealed on the link (bound to its id) with blind
 * indexes of the name and email for the list filters.
 */
export async function createPaymentLink({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: CreateInput }) {
  const livemode = ctx.principal.livemode;
  const { invoiceId, request } = kindOf(input);
  if (input.return_url && livemode && !input.return_url.startsWith("https://")) {
    throw new ValidationError("return_url must be https in live mode.", "return_url", "return_url_not_https");
  }
  const now = Date.now();
  const expiresAt = input.expires_at ? new Date(input.expires_at) : new Date(now + DEFAULT_LINK_LIFETIME_DAYS * 86_400_000);
  if (expiresAt.getTime() <= now) throw new ValidationError("expires_at must be in the future.", "expires_at", "expires_at_in_past");
  const type = input.type ?? "standard";
  // Invoices are in euros (create-invoice.ts); a request says its own currency.
  const currency: PaymentCurrency = request?.currency ?? "EUR";
  const methods = input.payment_methods ? [...new Set(input.payment_methods)] : defaultPaymentMethods(currency, type);
  if (type === "preauth" && methods.some((m) => m !== "card")) {
    throw new ValidationError("A hold (type preauth) is taken on a card: payment_methods must be [\"card\"].", "payment_methods", "preauth_card_only");
  }
  if (currency !== "EUR" && methods.includes("sepa_credit")) {
    throw new ValidationError(`A SEPA transfer is in euros only: a ${currency} request takes payment_methods ["card"].`, "payment_methods", "currency_not_supported");
  }
  if (invoiceId !== null && !isId("invoice", invoiceId)) throw new NotFound("invoice", invoiceId, "invoice_id");
  const departmentId = request?.department_id;
  if (departmentId !== undefined && !isId("department", departmentId)) throw new NotFound("department", departmentId, "department_id");
  if (request && livemode && departmentId === undefined) {
    throw new BusinessRule(
      "A live payment request is paid into a department's default bank account: give department_id (its account must be covered by a verified KYC).",
      "department_required",
      "department_id",
    );
  }

  const nowIso = new Date(now).toISOString();
  const linkId = newId("payment_link");
  const theLink = and(eq(paymentLinks.id, linkId), scoped(ctx, paymentLinks, organizationId));
  const linkAmount = sql`(SELECT ${paymentLinks.amount} FROM ${paymentLinks} WHERE ${theLink})`;
  const linkExists = sql`EXISTS (SELECT 1 FROM ${paymentLinks} WHERE ${theLink})`;

  // What is paid, in what currency, under which condition; and the reads that explain a refusal.
  let amount: SQL;
  let currencySql: SQL;
  let fits: SQL;
  let diagnose: (results: unknown[]) => Error;
  let diagnostics: BatchItem[];
  if (invoiceId !== null) {
    const ownInvoice = and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId));
    // Active links, and holds taken but not yet captured (their link is completed once the card is
    // authorized, yet the money is still to come): both are promised out of what is due.
    const heldIntent = sql`EXISTS (SELECT 1 FROM ${paymentIntents} WHERE ${paymentIntents.id} = ${paymentLinks.payment_intent_id} AND ${scoped(ctx, paymentIntents, organizationId)} AND ${paymentIntents.status} = 'requires_capture')`;
    const reserved = sql`(SELECT coalesce(sum(${paymentLinks.amount}), 0) FROM ${paymentLinks} WHERE ${paymentLinks.invoice_id} = ${invoiceId} AND ${scoped(ctx, paymentLinks, organizationId)} AND (${paymentLinks.status} = 'active' OR (${paymentLinks.status} = 'completed' AND ${paymentLinks.type} = 'preauth' AND ${heldIntent})))`;
    const available = sql`((SELECT ${invoices.amount_due} FROM ${invoices} WHERE ${ownInvoice}) - ${reserved})`;
    amount = input.amount !== undefined ? sql`${input.amount}` : available;
    currencySql = sql`(SELECT ${invoices.currency} FROM ${invoices} WHERE ${ownInvoice})`;
    // Live money goes to the department's default account, so that account itself must be covered
    // by a verified KYC: a verification of another (or a former default) account does not count.
    const defaultAccount = defaultAccountOf(ctx, organizationId, sql`(SELECT ${invoices.department_id} FROM ${invoices} WHERE ${ownInvoice})`);
    const accountVerification = verificationStatusOf(ctx, defaultAccount);
    fits = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${ownInvoice} AND ${statusIn(invoices.status, PAYABLE_INVOICE_STATUSES)})
    AND ${amount} > 0 AND ${amount} <= ${available}${livemode ? sql` AND ${accountVerification} = 'verified'` : sql``}`;
    diagnostics = [
      ctx.db.select({ status: invoices.status, invoice_number: invoices.invoice_number, amount_due: invoices.amount_due, reserved: sql<number>`${reserved}` }).from(invoices).where(ownInvoice),
      ctx.db
        .select({ account_id: sql<string | null>`${defaultAccount}`, verification_status: accountVerification, kyc_id: coveringKycIdOf(ctx, defaultAccount) })
        .from(invoices)
        .where(ownInvoice),
    ];
    diagnose = (results) =>
      refusal((results.at(-2) as InvoiceState[])[0], (results.at(-1) as PayoutState[])[0], input.amount, livemode, invoiceId);
  } else {
    const req = request!;
    amount = sql`${req.amount}`;
    currencySql = sql`${req.currency}`;
    if (departmentId === undefined) {
      fits = sql`1 = 1`;
      diagnostics = [];
      diagnose = () => new Error("a payment request without a department cannot be refused");
    } else {
      const ownDepartment = and(eq(departments.id, departmentId), scoped(ctx, departments, organizationId));
      const defaultAccount = defaultAccountOf(ctx, organizationId, sql`${departmentId}`);
      const accountVerification = verificationStatusOf(ctx, defaultAccount);
      fits = sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${ownDepartment})${livemode ? sql` AND ${accountVerification} = 'verified'` : sql``}`;
      diagnostics = [
        ctx.db
          .select({ account_id: sql<string | null>`${defaultAccount}`, verification_status: accountVerification, kyc_id: coveringKycIdOf(ctx, defaultAccount) })
          .from(departments)
          .where(ownDepartment),
      ];
      diagnose = (results) => {
        const payout = (results.at(-1) as PayoutState[])[0];
        if (!payout) return new NotFound("department", departmentId, "department_id");
        return payoutRefusal(payout, livemode, "department_id") ?? new Error("payment request refused for no known reason");
      };
    }
  }

  const link: PaymentLinkRow = {
    id: linkId,
    ...owner(ctx),
    version: 1,
    organization_id: organizationId,
    invoice_id: invoiceId,
    // Named by the link (pairedId): a revocation finds the object without reading the link.
    payment_intent_id: pairedId("payment_intent", linkId),
    department_id: request?.department_id ?? null, // an invoice's: its department, in SQL below
    token: randomToken(32),
    type,
    page: input.page ?? "standard",
    description: request?.description ?? null,
    payer_encrypted: null,
    payer_name_hash: null,
    payer_email_hash: null,
    amount: request?.amount ?? 0, // an invoice's: computed in SQL below
    currency,
    payment_methods: methods,
    status: "active",
    return_url: input.return_url ?? null,
    expires_at: expiresAt.toISOString(),
    completed_at: null,
    revoked_at: null,
    sent_at: input.send ? nowIso : null,
    reminder_count: 0,
    last_reminded_at: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
  // The payer as stored (phone in E.164: sealRequestPayer normalizes it or throws invalid_phone).
  let payer: RequestPayer | null = null;
  if (request) {
    const key = ctx.env.ENCRYPTION_KEY;
    const phone = request.payer.phone === undefined ? undefined : normalizeRecipient("sms", request.payer.phone, "payer.phone");
    payer = { name: request.payer.name, ...(request.payer.email !== undefined ? { email: request.payer.email } : {}), ...(phone !== undefined ? { phone } : {}) };
    const [sealed, nameHash, emailHash] = await Promise.all([
      sealRequestPayer(key, linkId, payer),
      requestPayerNameHash(key, payer.name),
      payer.email !== undefined ? requestPayerEmailHash(key, payer.email) : Promise.resolve(null),
    ]);
    link.payer_encrypted = sealed;
    link.payer_name_hash = nameHash;
    link.payer_email_hash = emailHash;
  }
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
    capture_method: type === "preauth" ? "manual" : "automatic",
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
  const draft = presentPaymentLink(link, ctx.env.PUBLIC_BASE_URL, payer);
  const secretless = { ...draft, payer: payer ? redactRequestPayer(payer) : null, payment_page_url: "[secret]", qr_code_data: "[secret]", qr_code_svg_url: "[secret]" };

  // The message, rendered and sealed now; written only if the link is (same guard).
  const message = input.send && request && payer ? await sendAtCreation(ctx, organizationId, input.send, request, payer, draft, linkExists) : null;

  // The account paid into: the invoice's department, or the request's.
  const departmentSql =
    invoiceId !== null
      ? sql`(SELECT ${invoices.department_id} FROM ${invoices} WHERE ${and(eq(invoices.id, invoiceId), scoped(ctx, invoices, organizationId))})`
      : sql`${departmentId ?? null}`;
  const eventId = newId("event");
  const event = await sealedEvent(ctx, {
    id: eventId,
    organizationId,
    type: "payment_link.created",
    data: { payment_link_id: linkId, payment_link: draft },
    assigned: { "payment_link.amount": linkAmount, "payment_link.department_id": sql`(SELECT ${paymentLinks.department_id} FROM ${paymentLinks} WHERE ${theLink})` },
  });
  const statements: BatchItem[] = [
    insertWhere(ctx.db, paymentLinks, { ...link, amount: amount as unknown as number, currency: currencySql as unknown as string, department_id: departmentSql as unknown as string }, sql`${fits}`),
    insertWhere(ctx.db, paymentIntents, { ...intentRow(intent), amount: linkAmount as unknown as number }, linkExists),
    eventEntry(ctx, event, linkExists),
    auditEntry(
      ctx,
      {
        organizationId,
        resourceType: "payment_link",
        resourceId: linkId,
        action: "created",
        before: null,
        after: null,
        changesSql: sql`json_object('before', NULL, 'after', json_set(${JSON.stringify(secretless)}, '$.amount', ${linkAmount}, '$.department_id', (SELECT ${paymentLinks.department_id} FROM ${paymentLinks} WHERE ${theLink})))`,
      },
      linkExists,
    ),
    ...(message?.statements ?? []),
    // As POST /v1/payment_links/{id}/send records it: the link was sent, by which message.
    ...(message && input.send
      ? [
          auditEntry(
            ctx,
            {
              organizationId,
              resourceType: "payment_link",
              resourceId: linkId,
              action: "sent",
              before: null,
              after: { channel: input.send.channel, locale: input.send.locale ?? "fr", template: "payment_link", message_id: message.id },
            },
            linkExists,
          ),
        ]
      : []),
    ctx.db.select().from(paymentLinks).where(theLink),
    // Why a refusal happened (read in the same round trip, after the guarded writes).
    ...diagnostics,
  ];
  const results = (await ctx.db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  const [created] = results[statements.length - diagnostics.length - 1] as PaymentLinkRow[];
  if (!created) throw diagnose(results);

  publishEvents(ctx, [eventId]);
  if (message) publishMessages(ctx, [message.id]);
  ctx.defer(ctx.env.PAYMENT_INTENT.getByName(intent.id).init({ ...intent, amount: created.amount, currency: created.currency }));
  return presentPaymentLink(created, ctx.env.PUBLIC_BASE_URL, payer);
}

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];
type InvoiceState = { status: string; invoice_number: string | null; amount_due: number; reserved: number };
type PayoutState = { account_id: string | null; verification_status: VerificationStatus; kyc_id: string | null };

/** The active default bank account of a department (given as SQL), or NULL. */
function defaultAccountOf(ctx: ServiceContext, organizationId: string, departmentId: SQL): SQL {
  return sql`(SELECT ${bankAccounts.id} FROM ${bankAccounts} WHERE ${bankAccounts.department_id} = ${departmentId} AND ${scoped(ctx, bankAccounts, organizationId)} AND ${bankAccounts.status} = 'active' AND ${bankAccounts.is_default} = 1)`;
}

/**
 * The `payment_link` message of a request sent at creation, guarded like the link. Its recipient:
 * `send.to`, else the payer's email (or phone for SMS); none → 422 recipient_missing, before
 * anything is written.
 */
async function sendAtCreation(
  ctx: ServiceContext,
  organizationId: string,
  send: z.infer<typeof SendAtCreationSchema>,
  request: RequestFields,
  payer: RequestPayer,
  draft: ReturnType<typeof presentPaymentLink>,
  guard: SQL,
) {
  const fallback = send.channel === "email" ? payer.email : payer.phone;
  const to = send.to ?? fallback;
  if (!to) {
    throw new BusinessRule(
      send.channel === "sms" ? "The payer has no phone number: give payer.phone or send.to, or send by email." : "The payer has no email address: give payer.email or send.to, or send by SMS.",
      "recipient_missing",
      "send.to",
    );
  }
  return messageStatements(
    ctx,
    {
      organizationId,
      channel: send.channel,
      to,
      toParam: send.to !== undefined ? "send.to" : send.channel === "email" ? "payer.email" : "payer.phone",
      locale: send.locale ?? "fr",
      template: "payment_link",
      data: {
        payerName: payer.name,
        amount: request.amount,
        currency: request.currency,
        description: request.description,
        invoiceNumber: null,
        hold: draft.type === "preauth",
        payUrl: draft.payment_page_url,
        expiresAt: draft.expires_at,
      },
      related: { type: "payment_link", id: draft.id },
    },
    guard,
  );
}

/** The error of a refused invoice link, from the state read in the same batch. */
function refusal(invoice: InvoiceState | undefined, payout: PayoutState | undefined, requested: number | undefined, livemode: boolean, invoiceId: string): Error {
  if (!invoice) return new NotFound("invoice", invoiceId, "invoice_id");
  if (!(PAYABLE_INVOICE_STATUSES as readonly string[]).includes(invoice.status)) {
    return new Conflict(`A ${invoice.status} invoice cannot take a payment link (issue it first; paid and cancelled invoices take none).`, "invoice_not_payable", "invoice_id");
  }
  const unpaid = payoutRefusal(payout, livemode, "invoice_id");
  if (unpaid) return unpaid;
  const available = Math.max(invoice.amount_due - Number(invoice.reserved), 0);
  // Nothing available is not an amount too high (the default amount is then 0): say what the invoice is in.
  if (available === 0) return nothingLeftToPay(invoice, invoiceId, "Revoke one to make a new link.", "invoice_id");
  return new BusinessRule(
    `Amount ${requested ?? available} cents is more than what remains payable on invoice ${invoice.invoice_number ?? invoiceId}: ${available} cents (amount due ${invoice.amount_due}, of which ${invoice.amount_due - available} already in active links or pending holds).`,
    "amount_exceeds_due",
    "amount",
  );
}

/** Live mode: the department's default account missing or not covered by a verified KYC. */
function payoutRefusal(payout: PayoutState | undefined, livemode: boolean, param: string): Error | null {
  if (!livemode) return null;
  if (!payout?.account_id) return new BusinessRule("The department needs a default bank account to be paid into.", "bank_account_required", param);
  if (payout.verification_status === "verified") return null;
  if (payout.kyc_id) {
    return new BusinessRule(
      `The KYC ${payout.kyc_id} of the department's default bank account ${payout.account_id} is ${payout.verification_status}: live payment links need it verified.`,
      "kyc_not_verified",
      param,
    );
  }
  return new BusinessRule(
    `The department's default bank account ${payout.account_id} is not verified: submit a KYC for it (POST /v1/departments/{id}/kyc) before live payment links.`,
    "bank_account_not_verified",
    param,
  );
}
