import type { IntentResult } from "../../domain/payment-intent-rpc";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "./intent-result";
import { intentTenant } from "./intent-tenant";
import type { OrganizationScope } from "../tenancy";

/**
 * The partner cancels a payment intent, in its Durable Object: a card hold (`requires_capture`)
 * is released and nothing is charged; an intent the payer can still act on (`created`, `pending`,
 * `failed`) is canceled and its link revoked; a payment processing or received is refused (409).
 * Canceling a canceled intent changes nothing. `cancellation_reason` is `requested`.
 */
export async function cancelPaymentIntent({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
  const tenant = intentTenant(ctx, organizationId);
  const result = await intentCall(ctx, id, "cancelByPartner", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.cancelByPartner(id, {
      tenant,
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
    }) as unknown as Promise<IntentResult>,
  );
  return unwrapIntentResult(result, { notFound: { resource: "payment_intent", id, param: "id" } }).intent;
}
