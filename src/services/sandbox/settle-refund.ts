import { z } from "@hono/zod-openapi";
import type { RefundResult } from "../../domain/payment-intent-rpc";
import { REFUND_OUTCOMES } from "../../domain/refund";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { refundOfPartner } from "../refunds/refunds";

export const SettleRefundInput = z
  .strictObject({ outcome: z.enum(REFUND_OUTCOMES) })
  .openapi("SimulateRefund", { example: { outcome: "failed" } });

/**
 * Settles a pending test-mode refund now, in its intent's Durable Object (which refuses live
 * refunds itself), instead of waiting for the sandbox provider's timer. The refund is found by
 * partner and mode only: the sandbox names no organization.
 */
export async function settleRefund({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof SettleRefundInput> }) {
  const row = await refundOfPartner(ctx, id);
  const result = await intentCall(ctx, row.payment_intent_id, "settleRefund", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.settleRefund(row.payment_intent_id, {
      refundId: row.id,
      outcome: input.outcome,
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
      tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId: row.organization_id },
    }) as unknown as Promise<RefundResult>,
  );
  return unwrapIntentResult(result, { notFound: { resource: "refund", id: row.id, param: "id" } }).refund;
}
