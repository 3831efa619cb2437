import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getPaymentIntent } from "../../services/payment-intents/query";
import { serviceContext } from "../context";
import { PaymentIntentIdParam, PaymentIntentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payment_intents/{id}",
  operationId: "getPaymentIntent",
  tags: ["Payment intents"],
  summary: "Retrieve a payment intent",
  description: "A payment intent of the caller's organizations (X-Entity-Id optional; read from the D1 projection of its Durable Object). Scope `payments:read`.",
  middleware: [requireScope("payments:read"), entityFromHeaderOrObject] as const,
  request: { params: PaymentIntentIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent."), ...errorResponses(404) },
});

export function registerGetPaymentIntent(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await getPaymentIntent({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200),
  );
}
