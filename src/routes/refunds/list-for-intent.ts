import { createRoute, z } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
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
  description: "Every refund of the payment intent, oldest first, whatever its status. Scope `refunds:read`.",
  middleware: [requireScope("refunds:read"), requireEntity] as const,
  request: { params: PaymentIntentIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(z.object({ data: z.array(RefundSchema) }).openapi("RefundList"), "The refunds."), ...errorResponses(404) },
});

export function registerListPaymentIntentRefunds(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listIntentRefunds({ ctx: serviceContext(c), organizationId: c.get("entityId"), intentId: c.req.valid("param").id }), 200),
  );
}
