import { z } from "@hono/zod-openapi";
import type { IntentResult } from "../../domain/payment-intent-rpc";
import { NotFound } from "../../lib/errors";
import { Cents } from "../../lib/fields";
import { isId } from "../../lib/ids";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "./intent-result";
import { intentTenant } from "./intent-tenant";
import type { OrganizationScope } from "../tenancy";

export const CapturePaymentIntentInput = z
  .strictObject({
    amount: Cents({ min: 1 })
      .optional()
      .openapi({ description: "In cents, at most `amount_authorized`. Default: the whole authorized amount. The rest of the authorization is released.", example: 15000 }),
  })
  .openapi("PaymentIntentCapture", { example: { amount: 15000 } });

/**
 * The partner captures a card hold, in the intent's Durable Object (one transition, decided
 * there from its state: `requires_capture` only, at most the authorized amount, once). The object
 * projects the capture to D1 (the ledger entry of the captured amount, the invoice recomputed,
 * `payment_intent.status_changed`, the audit entry) before answering; the tenant is checked by the
 * object itself (without X-Entity-Id, any organization of the caller's: intent-tenant.ts), so the
 * request costs the gate and this one call.
 */
export async function capturePaymentIntent({
  ctx,
  organizationId,
  id,
  input,
}: {
  ctx: ServiceContext;
  organizationId: OrganizationScope;
  id: string;
  input: z.infer<typeof CapturePaymentIntentInput>;
}) {
  if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
  const tenant = intentTenant(ctx, organizationId);
  const result = await intentCall(ctx, id, "capture", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.capture(id, {
      amount: input.amount,
      tenant,
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
    }) as unknown as Promise<IntentResult>,
  );
  return unwrapIntentResult(result, { notFound: { resource: "payment_intent", id, param: "id" }, param: { rule: "amount", invalid: "amount" } }).intent;
}
