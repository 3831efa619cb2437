import { z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { paymentIntents, refunds } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { derivedId, isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import type { RefundResult } from "../../domain/payment-intent-rpc";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export type RefundRow = typeof refunds.$inferSelect;

export function presentRefundRow(row: RefundRow) {
  return {
    id: row.id,
    object: "refund" as const,
    livemode: row.livemode,
    payment_intent_id: row.payment_intent_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    failure_code: row.failure_code,
    pending_reason: row.pending_reason,
    created_at: row.created_at,
    completed_at: row.completed_at,
  };
}

export const CreateRefundInput = z
  .strictObject({
    payment_intent_id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    amount: z.number().int().positive().optional().openapi({ description: "In cents; default: all that remains refundable.", example: 10000 }),
    reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Remise commerciale de 100€" }),
  })
  .openapi("RefundCreate", { example: { payment_intent_id: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", amount: 10000, reason: "Remise commerciale de 100€" } });

/**
 * The balance check and the refund's creation happen in the intent's Durable Object (one
 * synchronous transaction), which projects the refund to D1 before answering. The object checks
 * the tenant itself: the request costs the gate and this one call (DESIGN.md §2 write budget).
 */
export async function createRefund({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: z.infer<typeof CreateRefundInput>;
}) {
  if (!isId("payment_intent", input.payment_intent_id)) throw new NotFound("payment_intent", input.payment_intent_id, "payment_intent_id");
  // With an Idempotency-Key the refund id is derived from it: a retry after a crash (when the
  // key's claim is taken over and the handler runs again) finds the refund it already made.
  const refundId = ctx.idempotencyKey
    ? await derivedId("refund", `${ctx.principal.partnerId}:${ctx.principal.livemode}:${input.payment_intent_id}`, ctx.idempotencyKey)
    : newId("refund");
  const result = await intentCall(ctx, input.payment_intent_id, "refund", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.refund(input.payment_intent_id, {
      refundId,
      amount: input.amount,
      reason: input.reason ?? null,
      tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId },
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
    }) as unknown as Promise<RefundResult>,
  );
  return unwrapIntentResult(result, {
    notFound: { resource: "payment_intent", id: input.payment_intent_id, param: "payment_intent_id" },
    param: { conflict: "payment_intent_id", rule: "amount", invalid: "amount" },
  }).refund;
}

export async function getRefund({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  if (!isId("refund", id)) throw new NotFound("refund", id, "id");
  const [row] = await ctx.db
    .select()
    .from(refunds)
    .where(and(eq(refunds.id, id), scoped(ctx, refunds, organizationId)));
  if (!row) throw new NotFound("refund", id, "id");
  return presentRefundRow(row);
}

/** Seed 001 "Suivi des remboursements": every refund of a payment intent, oldest first. */
export async function listIntentRefunds({ ctx, organizationId, intentId }: { ctx: ServiceContext; organizationId: string; intentId: string }) {
  if (!isId("payment_intent", intentId)) throw new NotFound("payment_intent", intentId, "id");
  const [intent, rows] = await ctx.db.batch([
    ctx.db
      .select({ id: paymentIntents.id })
      .from(paymentIntents)
      .where(
        and(eq(paymentIntents.id, intentId), scoped(ctx, paymentIntents, organizationId)),
      ),
    ctx.db.select().from(refunds).where(and(eq(refunds.payment_intent_id, intentId), scoped(ctx, refunds, organizationId))).orderBy(asc(refunds.created_at), asc(refunds.id)),
  ]);
  if (intent.length === 0) throw new NotFound("payment_intent", intentId, "id");
  return { data: rows.map(presentRefundRow) };
}

/** The intent a refund belongs to, for the caller (partner and mode): the sandbox simulator's lookup. */
export async function refundOfPartner(ctx: ServiceContext, id: string) {
  if (!isId("refund", id)) throw new NotFound("refund", id, "id");
  const [row] = await ctx.db
    .select()
    .from(refunds)
    .where(and(eq(refunds.id, id), scoped(ctx, refunds, ANY_ORGANIZATION)));
  if (!row) throw new NotFound("refund", id, "id");
  return row;
}
