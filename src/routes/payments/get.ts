import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getPayment } from "../../services/payments/query";
import { serviceContext } from "../context";
import { PaymentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payments/{id}",
  operationId: "getPayment",
  tags: ["Payments"],
  summary: "Retrieve a payment",
  description: "A ledger entry, online (`source: \"online\"`: paid through a payment link) or recorded at the counter (`source: \"offline\"`), with what was refunded of it. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), entityFromHeaderOrObject] as const,
  request: {
    params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) }),
    headers: ObjectEntityHeader,
  },
  responses: { 200: jsonResponse(PaymentSchema, "The payment."), ...errorResponses(404) },
});

export function registerGetPayment(app: Router) {
  app.openapi(route, async (c) => c.json(await getPayment({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
