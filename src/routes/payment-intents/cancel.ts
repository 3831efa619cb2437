import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { cancelPaymentIntent } from "../../services/payment-intents/cancel-payment-intent";
import { serviceContext } from "../context";
import { PaymentIntentIdParam, PaymentIntentSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/payment_intents/{id}/cancel",
  operationId: "cancelPaymentIntent",
  tags: ["Payment intents"],
  summary: "Cancel a payment intent or release a card hold",
  description:
    "Issue 13 (seed 003 \"caution\"). A card hold (`requires_capture`) is released: nothing is charged, no ledger entry is written. An intent the payer can still act on (`created`, `pending`, `failed`) is canceled and its payment link revoked. Either way the intent becomes `canceled` with `cancellation_reason: \"requested\"` and `payment_intent.status_changed` is emitted; canceling a canceled intent changes nothing. A payment being processed or already received (`processing`, `succeeded`, `partially_refunded`, `refunded`) → 409 (`payment_processing`, `payment_completed`): refund it instead. An uncaptured hold is also released on its own at `capture_before` (`cancellation_reason: \"hold_expired\"`; in test mode, `POST /v1/sandbox/sweeps` with a later `as_of` does it now). Revoking or expiring the link never releases an authorized hold. Scope `payments:write`.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject, claimsUpfront] as const,
  request: { params: PaymentIntentIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader) },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent, canceled."), ...errorResponses(404, 409) },
});

export function registerCancelPaymentIntent(app: Router) {
  app.openapi(route, async (c) => c.json(await cancelPaymentIntent({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
