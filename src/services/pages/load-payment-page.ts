import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { invoices, organizations, paymentIntents, paymentLinks } from "../../db/schema";
import type { IntentStatus, PaymentMethod } from "../../domain/payment-intent";
import type { PaymentLinkStatus, PaymentLinkType, PaymentPageStyle } from "../../domain/payment-link";
import type { InvoiceStatus } from "../../domain/invoice-status";
import { unsealPayer } from "../invoices/payer";
import { unsealRequestPayer } from "../payment-links/request-payer";
import { sameTenant } from "../tenancy";
import { log } from "../../lib/log";

/** Payment link tokens are 32 base62 characters (services/payment-links); anything else is unknown. */
const TOKEN = /^[A-Za-z0-9]{20,64}$/;

export function isPlausibleToken(token: string): boolean {
  return TOKEN.test(token);
}

export interface PaymentPageData {
  link: {
    id: string;
    token: string;
    livemode: boolean;
    status: PaymentLinkStatus;
    amount: number;
    currency: string;
    methods: PaymentMethod[];
    returnUrl: string | null;
    expiresAt: string | null;
    /** `preauth`: a card hold (authorized now, captured later). */
    type: PaymentLinkType;
    /** `short`: the simplified layout (seed 003 "page courte"). */
    page: PaymentPageStyle;
    /** A payment request's text (what the payer pays for); null for an invoice's link. */
    description: string | null;
  };
  /**
   * Null for a payment request without an invoice. `total` and `amountDue` (cents, in the link's
   * currency) let the page tell a payer paying part of an invoice what the whole is and what will
   * remain; `status` says whether it is overdue.
   */
  invoice: { id: string; number: string | null; dueDate: string | null; status: InvoiceStatus; total: number; amountDue: number } | null;
  /** The invoice's payer, or the request's; null if it could not be unsealed. */
  payerName: string | null;
  /** Whose link this is: the intent's Durable Object checks it on every call. */
  tenant: { partnerId: string; livemode: boolean; organizationId: string };
  organization: { name: string; logoUrl: string | null; primaryColor: string | null; supportEmail: string | null };
  intent: {
    id: string;
    status: IntentStatus;
    version: number;
    method: PaymentMethod | null;
    failureCode: string | null;
    /** What was captured (a hold's captured amount may be less than the link's). */
    amountReceived: number;
    amountAuthorized: number | null;
    /** ISO instant until which an authorized hold can be captured. */
    captureBefore: string | null;
  };
}

/**
 * Everything the hosted payment page shows, in one D1 round trip (DESIGN.md §2): the link by its
 * token, joined to its invoice (none for a payment request: a left join), organization and payment
 * intent projection. The payer (the invoice's, or the request's sealed on the link) is decrypted
 * afterwards (CPU only). The token is the only credential: it is the bearer secret of
 * the page, so the query needs no tenant filter beyond it. Null when no link has this token.
 */
export async function loadPaymentPage({ db, encryptionKey, token }: { db: Db; encryptionKey: string; token: string }): Promise<PaymentPageData | null> {
  if (!isPlausibleToken(token)) return null;
  // tenancy-exempt: the token is the page's credential; every joined row must share the link's tenant (sameTenant).
  const [row] = await db
    .select({
      link: {
        id: paymentLinks.id,
        token: paymentLinks.token,
        livemode: paymentLinks.livemode,
        status: paymentLinks.status,
        amount: paymentLinks.amount,
        currency: paymentLinks.currency,
        methods: paymentLinks.payment_methods,
        returnUrl: paymentLinks.return_url,
        expiresAt: paymentLinks.expires_at,
        type: paymentLinks.type,
        page: paymentLinks.page,
        description: paymentLinks.description,
        payerSealed: paymentLinks.payer_encrypted,
        intentId: paymentLinks.payment_intent_id,
        partnerId: paymentLinks.partner_id,
        organizationId: paymentLinks.organization_id,
      },
      invoice: {
        id: invoices.id,
        number: invoices.invoice_number,
        dueDate: invoices.due_date,
        status: invoices.status,
        total: invoices.total_amount,
        amountDue: invoices.amount_due,
        payerSealed: invoices.payer_encrypted,
      },
      organization: { name: organizations.name, branding: organizations.branding },
      intent: {
        id: paymentIntents.id,
        status: paymentIntents.status,
        version: paymentIntents.version,
        method: paymentIntents.selected_payment_method,
        failureCode: paymentIntents.failure_code,
        amountReceived: paymentIntents.amount_received,
        amountAuthorized: paymentIntents.amount_authorized,
        captureBefore: paymentIntents.capture_before,
      },
    })
    .from(paymentLinks)
    .leftJoin(invoices, and(eq(invoices.id, paymentLinks.invoice_id), sameTenant(invoices, paymentLinks)))
    .innerJoin(organizations, and(eq(organizations.id, paymentLinks.organization_id), sameTenant(organizations, paymentLinks)))
    .leftJoin(paymentIntents, and(eq(paymentIntents.id, paymentLinks.payment_intent_id), sameTenant(paymentIntents, paymentLinks)))
    .where(eq(paymentLinks.token, token))
    .limit(1);
  if (!row) return null;

  let payerName: string | null = null;
  const { intentId, partnerId, organizationId, payerSealed, ...link } = row.link;
  try {
    if (row.invoice) payerName = (await unsealPayer(encryptionKey, row.invoice.id, row.invoice.payerSealed)).name;
    else if (payerSealed) payerName = (await unsealRequestPayer(encryptionKey, link.id, payerSealed)).name;
  } catch (err) {
    // A payer sealed with another key still lets the payer pay; the page just omits the name.
    log.warn("payment page: payer could not be unsealed", { payment_link_id: link.id, error: err });
  }
  const branding = row.organization.branding ?? {};
  return {
    link,
    tenant: { partnerId, livemode: link.livemode, organizationId },
    invoice: row.invoice
      ? {
          id: row.invoice.id,
          number: row.invoice.number,
          dueDate: row.invoice.dueDate,
          status: row.invoice.status,
          total: row.invoice.total,
          amountDue: row.invoice.amountDue,
        }
      : null,
    payerName,
    organization: {
      name: branding.display_name?.trim() || row.organization.name,
      logoUrl: branding.logo_url ?? null,
      primaryColor: branding.primary_color ?? null,
      supportEmail: branding.support_email ?? null,
    },
    // The intent row is written in the link's own batch; a missing one reads as just created.
    intent: row.intent
      ? {
          id: row.intent.id,
          status: row.intent.status as IntentStatus,
          version: row.intent.version,
          method: row.intent.method as PaymentMethod | null,
          failureCode: row.intent.failureCode,
          amountReceived: row.intent.amountReceived,
          amountAuthorized: row.intent.amountAuthorized,
          captureBefore: row.intent.captureBefore,
        }
      : { id: intentId, status: "created", version: 1, method: null, failureCode: null, amountReceived: 0, amountAuthorized: null, captureBefore: null },
  };
}
