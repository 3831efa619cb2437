import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { paymentIntents } from "../../db/schema";
import { INTENT_STATUSES, type CancellationReason } from "../../domain/payment-intent";
import { NotFound } from "../../lib/errors";
import { DateBound, PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

export type PaymentIntentRow = typeof paymentIntents.$inferSelect;

export function presentPaymentIntent(row: PaymentIntentRow) {
  return {
    id: row.id,
    object: "payment_intent" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    invoice_id: row.invoice_id,
    payment_link_id: row.payment_link_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    capture_method: row.capture_method,
    amount_authorized: row.amount_authorized,
    capture_before: row.capture_before,
    cancellation_reason: row.cancellation_reason as CancellationReason | null,
    selected_payment_method: row.selected_payment_method,
    aiia_status: row.aiia_status,
    aiia_transaction_id: row.aiia_transaction_id,
    provider_status: row.provider_status,
    amount_received: row.amount_received,
    refunded_amount: row.refunded_amount,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    completed_at: row.completed_at,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function intentWhere(ctx: ServiceContext, organizationId: OrganizationScope) {
  return scoped(ctx, paymentIntents, organizationId);
}

/** Read from the D1 projection, which each transition updates before its API call returns. */
export async function getPaymentIntent({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
  const [row] = await ctx.db.select().from(paymentIntents).where(and(eq(paymentIntents.id, id), intentWhere(ctx, organizationId)));
  if (!row) throw new NotFound("payment_intent", id, "id");
  return presentPaymentIntent(row);
}

export const ListPaymentIntentsInput = PaginationQuery.extend({
  status: z.enum(INTENT_STATUSES).optional(),
  invoice_id: z.string().max(100).optional(),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date)." }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (an instant, or a Paris date covering the whole day)." }),
});

export async function listPaymentIntents({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListPaymentIntentsInput> }) {
  const where = and(intentWhere(ctx, organizationId), ...equalTo(input, { status: paymentIntents.status, invoice_id: paymentIntents.invoice_id }), within(paymentIntents.created_at, input.created_from, input.created_to));
  const rows = ctx.db.select().from(paymentIntents).where(where).orderBy(desc(paymentIntents.created_at), desc(paymentIntents.id));
  return listPage(ctx, input, { rows, from: paymentIntents, where, parent: organizationParent(ctx, organizationId) }, presentPaymentIntent);
}

/** An intent of the caller (partner and mode), whatever its organization: the sandbox simulator's lookup. */
export async function getPaymentIntentOfPartner(ctx: ServiceContext, id: string) {
  const [row] = await ctx.db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.id, id), scoped(ctx, paymentIntents, ANY_ORGANIZATION)));
  if (!row) throw new NotFound("payment_intent", id, "id");
  return presentPaymentIntent(row);
}
