import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { createRefund, CreateRefundInput } from "../../services/refunds/refunds";
import { serviceContext } from "../context";
import { RefundSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/refunds",
  operationId: "createRefund",
  tags: ["Refunds"],
  summary: "Refund a payment, totally or partially",
  description:
    "Seed 001 \"Remboursements\". No `amount` refunds everything still refundable. Several partial refunds may follow each other as long as their sum (pending ones included) stays within what was received: beyond → 422 `amount_exceeds_refundable` with the remaining amount. The refund settles asynchronously through the payment's provider (seconds in sandbox); in live mode, until a live provider is registered, it stays `pending` with `pending_reason: \"provider_unavailable\"` and no money moves. Once it succeeds the payment intent becomes `partially_refunded` or `refunded`, and the invoice's amount paid is recomputed. What that does to the invoice is the refund's `type`. A `price_reduction` (the default when the invoice is `paid` and the refund has a `reason`) issues a partial credit note (AV-…, `credit_note.created`, listed by GET /v1/credit_notes and on the invoice) for the refunded amount with the VAT split over the invoice's rates in proportion; the invoice's `credited_amount` grows, its amount due stays what it was and a paid invoice stays `paid`. A `repayment` (the default otherwise) leaves the price as it is: the invoice is owed the amount again (a total refund returns it to `issued`, or `overdue` if past due). A failed refund changes neither. Emits `refund.created`, then `refund.status_changed`. The answer comes as soon as the payment intent's object has recorded the refund: `GET /v1/refunds/{id}` finds it at once, while the intent's refund list, `refund.created` and the invoice's and payment's amounts follow within moments (once it is written to the database).",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("refunds:write"), requireEntity, claimsUpfront] as const,
  request: {
    headers: EntityHeader.merge(IdempotencyHeader),
    body: jsonBody(CreateRefundInput),
  },
  responses: { 201: jsonResponse(RefundSchema, "The refund, pending."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreateRefund(app: Router) {
  app.openapi(route, async (c) => c.json(await createRefund({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("json") }), 201));
}
