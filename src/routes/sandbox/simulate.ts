import { createRoute, z } from "@hono/zod-openapi";
import { BusinessRule, Conflict, Forbidden, NotFound, ValidationError } from "../../lib/errors";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { isId } from "../../lib/ids";
import { requireScope } from "../../middleware/scopes";
import type { IntentResult } from "../../durable/payment-intent";
import { intentCall, serviceContext } from "../../services/context";
import { getPaymentIntentOfPartner } from "../../services/payment-intents/query";
import { PaymentIntentIdParam, PaymentIntentSchema } from "../payment-intents";

const OUTCOMES = ["succeeded", "insufficient_funds", "account_blocked", "card_declined", "expired"] as const;

const route = createRoute({
  method: "post",
  path: "/sandbox/payment_intents/{id}/simulate",
  operationId: "simulatePaymentIntent",
  tags: ["Sandbox"],
  summary: "Drive a test-mode payment intent to an outcome",
  description:
    "Test mode only. Runs the same transitions a payer and the provider would, emitting the same events: `succeeded` (SEPA transfer initiated, authorized, settled), `insufficient_funds` and `account_blocked` (transfer rejected, like the seed's test IBANs …124 and …125), `card_declined`, `expired` (the link expires).",
  middleware: [requireScope("payments:write")] as const,
  request: {
    params: PaymentIntentIdParam,
    headers: IdempotencyHeader,
    body: jsonBody(z.strictObject({ outcome: z.enum(OUTCOMES) }).openapi("SimulateOutcome", { example: { outcome: "succeeded" } })),
  },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent after the simulation."), ...errorResponses(404, 409, 413, 415) },
});

export function registerSandboxSimulate(app: Router) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    if (ctx.principal.livemode) throw new Forbidden("Sandbox endpoints need test-mode credentials.", "test_mode_only");
    const { id } = c.req.valid("param");
    if (!isId("payment_intent", id)) throw new NotFound("payment_intent", id, "id");
    const intent = await getPaymentIntentOfPartner(ctx, id);
    const outcome = c.req.valid("json").outcome;
    const result = await intentCall(ctx, id, "simulate", (stub) =>
      stub.simulate(id, { outcome, actor: { id: ctx.actor.id, type: "partner" }, requestId: ctx.requestId, tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId: intent.organization_id } }) as unknown as Promise<IntentResult>,
    );
    if (!result.ok) {
      if (result.status === 404) throw new NotFound("payment_intent", id, "id");
      if (result.status === 409) throw new Conflict(result.message, result.code);
      // e.g. card_declined on a link that takes no card: the object's 400 payment_method_not_allowed.
      if (result.status === 400) throw new ValidationError(result.message, "outcome", result.code);
      throw new BusinessRule(result.message, result.code);
    }
    return c.json(await getPaymentIntentOfPartner(ctx, id), 200);
  });
}
