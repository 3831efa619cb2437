import { and, count, desc, eq, gte, lt } from "drizzle-orm";
import { organizations, paymentIntents } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

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

function intentWhere(ctx: ServiceContext, organizationId: string) {
  return scoped(ctx, paymentIntents, organizationId);
}

/** Read from the D1 projection, which each transition updates before its API call returns. */
export async function getPaymentIntent({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
  const [row] = await ctx.db.select().from(paymentIntents).where(and(eq(paymentIntents.id, id), intentWhere(ctx, organizationId)));
  if (!row) throw new NotFound("payment_intent", id, "id");
  return presentPaymentIntent(row);
}

export async function listPaymentIntents({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: { page: number; pageSize: number; offset: number; status?: string | undefined; invoice_id?: string | undefined; created_from?: string | undefined; created_to?: string | undefined };
}) {
  const where = and(
    intentWhere(ctx, organizationId),
    input.status ? eq(paymentIntents.status, input.status) : undefined,
    input.invoice_id ? eq(paymentIntents.invoice_id, input.invoice_id) : undefined,
    input.created_from ? gte(paymentIntents.created_at, input.created_from) : undefined,
    input.created_to ? lt(paymentIntents.created_at, input.created_to) : undefined,
  );
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(paymentIntents).where(where).orderBy(desc(paymentIntents.created_at), desc(paymentIntents.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(paymentIntents).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  return { data: rows.map(presentPaymentIntent), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
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
