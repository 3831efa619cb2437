import type { paymentLinks } from "../../db/schema";
import { paymentLinkUrls } from "../../lib/page-urls";

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

/** Seed 001's shape, plus `object`, `livemode` and the link's own settings. */
export function presentPaymentLink(row: PaymentLinkRow, baseUrl: string) {
  return {
    id: row.id,
    object: "payment_link" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    invoice_id: row.invoice_id,
    payment_intent_id: row.payment_intent_id,
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
