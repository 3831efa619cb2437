import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { listPaymentIntents, ListPaymentIntentsInput } from "../../services/payment-intents/query";
import { serviceContext } from "../context";
import { PaymentIntentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payment_intents",
  operationId: "listPaymentIntents",
  tags: ["Payment intents"],
  summary: "List payment intents, newest first",
  description: "The payment intents of the X-Entity-Id organization (the D1 projection of each intent's Durable Object); filters on status, invoice and creation dates. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListPaymentIntentsInput },
  responses: { 200: jsonResponse(paginated(PaymentIntentSchema, "PaymentIntentList"), "A page of intents."), ...errorResponses(404) },
});

export function registerListPaymentIntents(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listPaymentIntents({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200),
  );
}
