import type { paymentLinks } from "../../db/schema";
import { paymentLinkUrls } from "../../lib/page-urls";
import { maskRecipient } from "../messages/recipient";
import { unsealRequestPayer, type RequestPayer } from "./request-payer";

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

/** The payer as the API shows it: every field present (null when unknown). */
function shownPayer(payer: RequestPayer) {
  return { name: payer.name, email: payer.email ?? null, phone: payer.phone ?? null };
}

/**
 * Seed 001's shape, plus `object`, `livemode` and the link's own settings. `payer` is the request
 * payer unsealed by the caller (presentPaymentLinkOf does it); null for an invoice's link.
 */
export function presentPaymentLink(row: PaymentLinkRow, baseUrl: string, payer: RequestPayer | null = null) {
  return {
    id: row.id,
    object: "payment_link" as const,
    livemode: row.livemode,
    version: row.version,
    organization_id: row.organization_id,
    invoice_id: row.invoice_id,
    payment_intent_id: row.payment_intent_id,
    department_id: row.department_id,
    type: row.type,
    page: row.page,
    description: row.description,
    payer: payer ? shownPayer(payer) : null,
    amount: row.amount,
    currency: row.currency,
    payment_methods: row.payment_methods,
    status: row.status,
    ...paymentLinkUrls(baseUrl, row.token),
    return_url: row.return_url,
    expires_at: row.expires_at,
    completed_at: row.completed_at,
    revoked_at: row.revoked_at,
    sent_at: row.sent_at,
    reminder_count: row.reminder_count,
    last_reminded_at: row.last_reminded_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export type PresentedPaymentLink = ReturnType<typeof presentPaymentLink>;

/** The link with its request payer unsealed (a request's link); an invoice's link has none. */
export async function presentPaymentLinkOf(key: string, row: PaymentLinkRow, baseUrl: string) {
  const payer = row.payer_encrypted ? await unsealRequestPayer(key, row.id, row.payer_encrypted) : null;
  return presentPaymentLink(row, baseUrl, payer);
}

/** What the audit trail keeps of a request payer for 10 years: enough to recognise, not to contact. */
export function redactRequestPayer(payer: RequestPayer) {
  const mask = (s: string) => (s.length <= 1 ? "*" : `${s[0]}${"*".repeat(Math.min(s.length - 1, 6))}`);
  return {
    name: payer.name.split(/\s+/).map(mask).join(" "),
    email: payer.email ? maskRecipient("email", payer.email) : null,
    phone: payer.phone ? maskRecipient("sms", payer.phone) : null,
  };
}
