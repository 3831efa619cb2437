import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { requireTestMode } from "../../middleware/test-mode";
import { settleRefund, SettleRefundInput } from "../../services/sandbox/settle-refund";
import { serviceContext } from "../context";
import { RefundIdParam, RefundSchema } from "../refunds/schema";

const route = createRoute({
  method: "post",
  path: "/sandbox/refunds/{id}/simulate",
  operationId: "simulateRefund",
  tags: ["Sandbox"],
  summary: "Settle a pending test-mode refund now, as succeeded or failed",
  description: "Test mode only. Without it, sandbox refunds succeed on their own within seconds. A failed refund releases its amount.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("refunds:write"), requireTestMode, claimsUpfront] as const,
  request: {
    params: RefundIdParam,
    headers: IdempotencyHeader,
    body: jsonBody(SettleRefundInput),
  },
  responses: { 200: jsonResponse(RefundSchema, "The settled refund."), ...errorResponses(404, 409, 413, 415) },
});

export function registerSimulateRefund(app: Router) {
  app.openapi(route, async (c) => c.json(await settleRefund({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200));
}
