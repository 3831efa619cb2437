import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { listIntentRefunds } from "../../services/refunds/refunds";
import { serviceContext } from "../context";
import { PaymentIntentIdParam } from "../payment-intents/schema";
import { RefundSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payment_intents/{id}/refunds",
  operationId: "listPaymentIntentRefunds",
  tags: ["Refunds"],
  summary: "The refunds of a payment intent, oldest first",
  description:
    "Every refund of the payment intent (X-Entity-Id optional), oldest first, whatever its status. Scope `refunds:read`. A refund just created appears within moments of its `POST /v1/refunds` answer (`GET /v1/refunds/{id}` finds it at once).",
  middleware: [requireScope("refunds:read"), entityFromHeaderOrObject] as const,
  request: { params: PaymentIntentIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(z.object({ data: z.array(RefundSchema) }).openapi("RefundList"), "The refunds."), ...errorResponses(404) },
});

export function registerListPaymentIntentRefunds(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listIntentRefunds({ ctx: serviceContext(c), organizationId: c.get("entityScope"), intentId: c.req.valid("param").id }), 200),
  );
}
