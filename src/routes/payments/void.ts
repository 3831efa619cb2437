import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { voidPayment, VoidPaymentInput } from "../../services/payments/void-payment";
import { serviceContext } from "../context";
import { PaymentSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/payments/{id}/void",
  operationId: "voidPayment",
  tags: ["Payments"],
  summary: "Void a payment recorded at the counter by mistake",
  description:
    "An offline payment (`source: \"offline\"`) recorded by mistake becomes `voided`, with `voided_at` and `void_reason`: it stays in the ledger and is no longer counted; the invoice's amounts and status are recomputed (`invoice.status_changed` if it moves back); emits `payment.voided`; audited. An online payment is refunded, never voided: 409 `payment_not_voidable`. Voiding a voided payment changes nothing and returns it. Scope `payments:write`.",
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject] as const,
  request: {
    params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) }),
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: jsonBody(VoidPaymentInput),
  },
  responses: { 200: jsonResponse(PaymentSchema, "The voided payment."), ...errorResponses(404, 409, 413, 415) },
});

export function registerVoidPayment(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await voidPayment({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
