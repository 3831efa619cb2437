import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paymentIntents, paymentLinks } from "../../db/schema";
import { ANY_ORGANIZATION, scoped } from "../../db/tenancy";
import type { IntentState, IntentStatus, PaymentMethod } from "../../domain/payment-intent";
import type { Tenant } from "../../domain/payment-intent-rpc";

/**
 * The intent's state as its D1 row has it, for an object created before its init call landed
 * (the worker died in between; the row is written first). Only the caller's tenant's intent is
 * found: another tenant's is as if it did not exist.
 */
export async function intentFromD1(db: Db, intentId: string, tenant: Tenant): Promise<IntentState | null> {
  const [row] = await db
    .select({ intent: paymentIntents, methods: paymentLinks.payment_methods, expires_at: paymentLinks.expires_at })
    .from(paymentIntents)
    .innerJoin(paymentLinks, and(eq(paymentLinks.id, paymentIntents.payment_link_id), scoped(tenant, paymentLinks, tenant.organizationId ?? ANY_ORGANIZATION)))
    .where(and(eq(paymentIntents.id, intentId), scoped(tenant, paymentIntents, tenant.organizationId ?? ANY_ORGANIZATION)));
  if (!row) return null;
  const i = row.intent;
  return {
    id: i.id,
    partner_id: i.partner_id,
    livemode: i.livemode,
    organization_id: i.organization_id,
    invoice_id: i.invoice_id,
    payment_link_id: i.payment_link_id,
    amount: i.amount,
    currency: i.currency,
    status: i.status as IntentStatus,
    capture_method: i.capture_method,
    amount_authorized: i.amount_authorized,
    capture_before: i.capture_before,
    cancellation_reason: i.cancellation_reason as IntentState["cancellation_reason"],
    allowed_methods: row.methods,
    selected_payment_method: i.selected_payment_method as PaymentMethod | null,
    provider: i.provider,
    provider_reference: null,
    aiia_status: i.aiia_status as IntentState["aiia_status"],
    aiia_transaction_id: i.aiia_transaction_id,
    provider_status: i.provider_status,
    amount_received: i.amount_received,
    refunded_amount: i.refunded_amount,
    failure_code: i.failure_code,
    failure_message: i.failure_message,
    completed_at: i.completed_at,
    expires_at: row.expires_at ? Date.parse(row.expires_at) : null,
    attempt: 0,
    version: i.version,
    created_at: i.created_at,
    updated_at: i.updated_at,
  };
}
