import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { requireTestMode } from "../../middleware/test-mode";
import { simulatePaymentIntent, SimulatePaymentIntentInput } from "../../services/sandbox/simulate-payment-intent";
import { serviceContext } from "../context";
import { PaymentIntentIdParam, PaymentIntentSchema } from "../payment-intents/schema";

const route = createRoute({
  method: "post",
  path: "/sandbox/payment_intents/{id}/simulate",
  operationId: "simulatePaymentIntent",
  tags: ["Sandbox"],
  summary: "Drive a test-mode payment intent to an outcome",
  description:
    "Test mode only. Runs the same transitions a payer and the provider would, emitting the same events: `succeeded` (SEPA transfer initiated, authorized, settled), `insufficient_funds` and `account_blocked` (transfer rejected, like the seed's test IBANs …124 and …125), `card_declined`, `expired` (the link expires). A card hold (a link of `type: \"preauth\"`): `succeeded` authorizes the card and ends in `requires_capture` (`amount_authorized`, `capture_before` = now + 6 days 12 hours; the link is completed, no ledger entry yet), then `POST /v1/payment_intents/{id}/capture` or `/cancel`; `card_declined` and `insufficient_funds` decline the authorization (`failed`, the payer may try again). On the hosted card page the documented test cards do the same: 4242 4242 4242 4242 authorizes, 4000 0000 0000 0002 (`card_declined`) and 4000 0000 0000 9995 (`insufficient_funds`) decline, 4000 0000 0000 3220 asks for the 3-D Secure code 123456.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("payments:write"), requireTestMode, claimsUpfront] as const,
  request: {
    params: PaymentIntentIdParam,
    headers: IdempotencyHeader,
    body: jsonBody(SimulatePaymentIntentInput),
  },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent after the simulation."), ...errorResponses(404, 409, 413, 415) },
});

export function registerSimulatePaymentIntent(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await simulatePaymentIntent({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
