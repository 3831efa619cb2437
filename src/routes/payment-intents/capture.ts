import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { capturePaymentIntent, CapturePaymentIntentInput } from "../../services/payment-intents/capture-payment-intent";
import { serviceContext } from "../context";
import { PaymentIntentIdParam, PaymentIntentSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/payment_intents/{id}/capture",
  operationId: "capturePaymentIntent",
  tags: ["Payment intents"],
  summary: "Capture a card hold",
  description:
    "Issue 13 (seed 003 \"caution\"). A payment link of `type: \"preauth\"` has its payer's card authorized, not charged: the intent waits in `requires_capture` with `amount_authorized` and `capture_before` (authorization + 6 days 12 hours). This charges `amount` (default: everything authorized), once; the rest of the authorization is released. The intent becomes `succeeded` with `amount_received` = the captured amount: the ledger entry (GET /v1/payments) is written now, for that amount only, the invoice's amount paid is recomputed (a request without an invoice has none), and only that amount can be refunded. Emits `payment_intent.status_changed` (`requires_capture` → `succeeded`). More than authorized → 422 `amount_exceeds_authorized` (\"Amount too high\"), nothing changes; an intent not in `requires_capture` (not a hold, not authorized yet, already captured, released or expired) → 409 `payment_intent_not_capturable`. In test mode: create a `preauth` link, then pay it on its page with the card 4242 4242 4242 4242 (or `POST /v1/sandbox/payment_intents/{id}/simulate {\"outcome\": \"succeeded\"}`) to reach `requires_capture`. Scope `payments:write`.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject, claimsUpfront] as const,
  request: {
    params: PaymentIntentIdParam,
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: { required: false, content: { "application/json": { schema: CapturePaymentIntentInput } } },
  },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent, succeeded, with the captured amount received."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCapturePaymentIntent(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await capturePaymentIntent({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") ?? {} }),
      200,
    ),
  );
}
