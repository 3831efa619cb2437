import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { claimsUpfront } from "../../middleware/idempotency";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { cancelPaymentLink, CancelPaymentLinkInput } from "../../services/payment-links/cancel-payment-link";
import { serviceContext } from "../context";
import { MessageSchema } from "../messages/schema";
import { PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

const PaymentLinkCancelResult = z
  .object({
    object: z.literal("payment_link_cancel"),
    payment_link: PaymentLinkSchema,
    message: MessageSchema.nullable().openapi({ description: "The cancellation notice, or null when none was due (never sent, `notify: false`, already revoked)." }),
  })
  .openapi("PaymentLinkCancelResult");

const route = createRoute({
  method: "post",
  path: "/payment_links/{id}/cancel",
  operationId: "cancelPaymentLink",
  tags: ["Payment links"],
  summary: "Cancel a payment link and tell the payer",
  description:
    "Issue 13 (seed 003: \"un e-mail d'annulation sera envoyé\"). Revokes the link exactly like `DELETE /v1/payment_links/{id}` (409 once the payment is processing or done); then, if the link had been sent (`sent_at`) and `notify` is true (default), emails the invoice payer that it is cancelled, once per link.",
  // Its first effect is a Durable Object call: the Idempotency-Key is claimed before it (middleware/idempotency.ts).
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject, claimsUpfront] as const,
  request: {
    params: PaymentLinkIdParam,
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: { required: false, content: { "application/json": { schema: CancelPaymentLinkInput } } },
  },
  responses: { 200: jsonResponse(PaymentLinkCancelResult, "The revoked link and the notice sent, if any."), ...errorResponses(404, 409, 413, 415) },
});

export function registerCancelPaymentLink(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await cancelPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") ?? {} }), 200),
  );
}
