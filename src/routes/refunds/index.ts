import { createRoute, z } from "@hono/zod-openapi";
import { BusinessRule, Conflict, Forbidden, NotFound } from "../../lib/errors";
import { EntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, Timestamp, type Router } from "../../lib/openapi";
import { Text } from "../../lib/text";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import type { RefundResult } from "../../durable/payment-intent";
import { REFUND_PENDING_REASONS } from "../../domain/refund";
import { intentCall, serviceContext } from "../../services/context";
import { createRefund, getRefund, listIntentRefunds, refundOfPartner } from "../../services/refunds/refunds";
import { PaymentIntentIdParam } from "../payment-intents";

const RefundSchema = z
  .object({
    id: z.string().openapi({ example: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("refund"),
    livemode: z.boolean(),
    payment_intent_id: z.string(),
    amount: z.number().int().openapi({ example: 10000 }),
    currency: z.string().openapi({ example: "EUR" }),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({ description: "A pending refund already counts against what remains refundable; a failed one releases its amount." }),
    reason: z.string().nullable().openapi({ example: "Remise commerciale de 100€" }),
    failure_code: z.string().nullable().openapi({ description: "Why a failed refund failed (`refund_failed`); null otherwise." }),
    pending_reason: z
      .enum(REFUND_PENDING_REASONS)
      .nullable()
      .openapi({
        description:
          "Why a pending refund is not on its way, null otherwise (and once it settles). `provider_unavailable`: no payment provider can send money back in this mode (live mode has none registered yet); nothing moved, the refund stays `pending` (still counting against what remains refundable) and is never reported `succeeded` on its own.",
        example: null,
      }),
    created_at: Timestamp,
    completed_at: Timestamp.nullable(),
  })
  .openapi("Refund");

const RefundIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ref-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) });

const create = createRoute({
  method: "post",
  path: "/refunds",
  operationId: "createRefund",
  tags: ["Refunds"],
  summary: "Refund a payment, totally or partially",
  description:
    "Seed 001 \"Remboursements\". No `amount` refunds everything still refundable. Several partial refunds may follow each other as long as their sum (pending ones included) stays within what was received: beyond → 422 `amount_exceeds_refundable` with the remaining amount. The refund settles asynchronously through the payment's provider (seconds in sandbox); in live mode, until a live provider is registered, it stays `pending` with `pending_reason: \"provider_unavailable\"` and no money moves. Once it succeeds the payment intent becomes `partially_refunded` or `refunded`, and the invoice's amount paid is recomputed (a total refund returns it to `issued`, or `overdue` if past due). Emits `refund.created`, then `refund.status_changed`.",
  middleware: [requireScope("refunds:write"), requireEntity] as const,
  request: {
    headers: EntityHeader.merge(IdempotencyHeader),
    body: jsonBody(
      z
        .strictObject({
          payment_intent_id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
          amount: z.number().int().positive().optional().openapi({ description: "In cents; default: all that remains refundable.", example: 10000 }),
          reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Remise commerciale de 100€" }),
        })
        .openapi("RefundCreate", { example: { payment_intent_id: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", amount: 10000, reason: "Remise commerciale de 100€" } }),
    ),
  },
  responses: { 201: jsonResponse(RefundSchema, "The refund, pending."), ...errorResponses(404, 409, 413, 415, 422) },
});

const get = createRoute({
  method: "get",
  path: "/refunds/{id}",
  operationId: "getRefund",
  tags: ["Refunds"],
  summary: "Retrieve a refund",
  description: "A refund of the X-Entity-Id organization, pending, succeeded or failed. Scope `refunds:read`.",
  middleware: [requireScope("refunds:read"), requireEntity] as const,
  request: { params: RefundIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(RefundSchema, "The refund."), ...errorResponses(404) },
});

const ofIntent = createRoute({
  method: "get",
  path: "/payment_intents/{id}/refunds",
  operationId: "listPaymentIntentRefunds",
  tags: ["Refunds"],
  summary: "The refunds of a payment intent, oldest first",
  description: "Every refund of the payment intent, oldest first, whatever its status. Scope `refunds:read`.",
  middleware: [requireScope("refunds:read"), requireEntity] as const,
  request: { params: PaymentIntentIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(z.object({ data: z.array(RefundSchema) }).openapi("RefundList"), "The refunds."), ...errorResponses(404) },
});

const simulate = createRoute({
  method: "post",
  path: "/sandbox/refunds/{id}/simulate",
  operationId: "simulateRefund",
  tags: ["Sandbox"],
  summary: "Settle a pending test-mode refund now, as succeeded or failed",
  description: "Test mode only. Without it, sandbox refunds succeed on their own within seconds. A failed refund releases its amount.",
  middleware: [requireScope("refunds:write")] as const,
  request: {
    params: RefundIdParam,
    headers: IdempotencyHeader,
    body: jsonBody(z.strictObject({ outcome: z.enum(["succeeded", "failed"]) }).openapi("SimulateRefund", { example: { outcome: "failed" } })),
  },
  responses: { 200: jsonResponse(RefundSchema, "The settled refund."), ...errorResponses(404, 409, 413, 415) },
});

export function registerRefundRoutes(app: Router) {
  app.openapi(create, async (c) => c.json(await createRefund({ ctx: serviceContext(c), organizationId: c.get("entityId")!, input: c.req.valid("json") }), 201));
  app.openapi(get, async (c) => c.json(await getRefund({ ctx: serviceContext(c), organizationId: c.get("entityId")!, id: c.req.valid("param").id }), 200));
  app.openapi(ofIntent, async (c) =>
    c.json(await listIntentRefunds({ ctx: serviceContext(c), organizationId: c.get("entityId")!, intentId: c.req.valid("param").id }), 200),
  );
  app.openapi(simulate, async (c) => {
    const ctx = serviceContext(c);
    if (ctx.principal.livemode) throw new Forbidden("Sandbox endpoints need test-mode credentials.", "test_mode_only");
    const row = await refundOfPartner(ctx, c.req.valid("param").id);
    const outcome = c.req.valid("json").outcome;
    const result = await intentCall(ctx, row.payment_intent_id, "settleRefund", (stub) =>
      stub.settleRefund(row.payment_intent_id, { refundId: row.id, outcome, actor: { id: ctx.actor.id, type: "partner" }, requestId: ctx.requestId, tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId: row.organization_id } }) as unknown as Promise<RefundResult>,
    );
    if (!result.ok) {
      if (result.status === 404) throw new NotFound("refund", row.id, "id");
      if (result.status === 409) throw new Conflict(result.message, result.code);
      throw new BusinessRule(result.message, result.code);
    }
    return c.json(result.refund, 200);
  });
}
