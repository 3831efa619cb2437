/** What each template says, in the payer's language; every amount is integer cents, in `currency` (default EUR). */

export const TEMPLATE_NAMES = ["invoice", "payment_link", "reminder_before_due", "reminder_due", "reminder_overdue", "final_notice", "link_cancelled", "receipt"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export type Locale = "fr" | "en";

/** An invoice to pay (sending it, or reminding the payer of it), or a payment request to remind. */
export interface InvoiceMessageData {
  payerName?: string | null;
  /** Null only for an invoice not numbered yet (never the case once issued), or a payment request. */
  invoiceNumber: string | null;
  /** A payment request's description: what the reminder names when there is no invoice number. */
  description?: string | null;
  amountDue: number;
  /** ISO 4217 (EUR, USD, GBP); default EUR. */
  currency?: string | null;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  /** The payment page (a payment link's payment_page_url). */
  payUrl: string;
}

export interface PaymentLinkMessageData {
  payerName?: string | null;
  amount: number;
  /** ISO 4217 (EUR, USD, GBP); default EUR. */
  currency?: string | null;
  description?: string | null;
  invoiceNumber?: string | null;
  /** A card hold (link type preauth): the card is authorized, not charged. */
  hold?: boolean;
  payUrl: string;
  /** ISO instant. */
  expiresAt?: string | null;
}

export interface LinkCancelledMessageData {
  payerName?: string | null;
  amount: number;
  currency?: string | null;
  description?: string | null;
  invoiceNumber?: string | null;
}

export interface ReceiptMessageData {
  payerName?: string | null;
  amount: number;
  currency?: string | null;
  /** ISO instant. */
  paidAt: string;
  paymentId: string;
  invoiceNumber?: string | null;
  description?: string | null;
}

export interface TemplateDataMap {
  invoice: InvoiceMessageData;
  payment_link: PaymentLinkMessageData;
  reminder_before_due: InvoiceMessageData;
  reminder_due: InvoiceMessageData;
  reminder_overdue: InvoiceMessageData;
  final_notice: InvoiceMessageData;
  link_cancelled: LinkCancelledMessageData;
  receipt: ReceiptMessageData;
}

export type TemplateData = TemplateDataMap[TemplateName];

/** The sender as the payer sees it (the organization's branding). */
export interface Branding {
  displayName: string;
  /** The brand colour; used only where white on it keeps 4.5:1 (as the PDF's accent). */
  primaryColor: string | null;
  logoUrl: string | null;
  supportEmail: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface RenderedSms {
  text: string;
}
