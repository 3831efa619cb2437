import type { paymentLinks } from "../../db/schema";

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

export function paymentPageUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, "")}/p/${token}`;
}

/** Seed 001's shape, plus `object`, `livemode` and the link's own settings. */
export function presentPaymentLink(row: PaymentLinkRow, baseUrl: string) {
  const url = paymentPageUrl(baseUrl, row.token);
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
    payment_page_url: url,
    qr_code_data: url,
    qr_code_svg_url: `${url}/qr.svg`,
    return_url: row.return_url,
    expires_at: row.expires_at,
    completed_at: row.completed_at,
    revoked_at: row.revoked_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
