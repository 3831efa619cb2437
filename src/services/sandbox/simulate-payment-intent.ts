import { z } from "@hono/zod-openapi";
import { SIMULATED_OUTCOMES, type IntentResult } from "../../domain/payment-intent-rpc";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { getPaymentIntentOfPartner } from "../payment-intents/query";

export const SimulatePaymentIntentInput = z
  .strictObject({ outcome: z.enum(SIMULATED_OUTCOMES) })
  .openapi("SimulateOutcome", { example: { outcome: "succeeded" } });

/**
 * Drives a test-mode intent through the transitions a payer and the provider would make, in its
 * Durable Object (which refuses live intents itself). The intent is found by partner and mode
 * only: the sandbox names no organization. Answers the intent as projected afterwards.
 */
export async function simulatePaymentIntent({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof SimulatePaymentIntentInput> }) {
  if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
  const intent = await getPaymentIntentOfPartner(ctx, id);
  const result = await intentCall(ctx, id, "simulate", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.simulate(id, {
      outcome: input.outcome,
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
      tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId: intent.organization_id },
    }) as unknown as Promise<IntentResult>,
  );
  // An invalid refusal is about the outcome: card_declined on a link that takes no card.
  unwrapIntentResult(result, { notFound: { resource: "payment_intent", id, param: "id" }, param: { invalid: "outcome" } });
  return getPaymentIntentOfPartner(ctx, id);
}
