import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { sendPaymentLink, SendPaymentLinkInput } from "../../services/payment-links/send-payment-link";
import { serviceContext } from "../context";
import { MessageSchema } from "../messages/schema";
import { PaymentLinkIdParam, PaymentLinkSchema } from "./schema";

export const PaymentLinkSendResult = z
  .object({ object: z.literal("payment_link_send"), payment_link: PaymentLinkSchema, message: MessageSchema })
  .openapi("PaymentLinkSendResult");

const route = createRoute({
  method: "post",
  path: "/payment_links/{id}/send",
  operationId: "sendPaymentLink",
  tags: ["Payment links"],
  summary: "Send a payment link to the payer by email or SMS",
  description:
    "Issue 13 (seed 001 step 4: \"send `payment_page_url` by email, SMS or QR code\"). The message carries the amount, the invoice number, the page and its expiry; by email, the invoice PDF. It goes to `to`, else to the invoice payer's email or phone. Sets the link's `sent_at`. A completed, expired or revoked link → 409 `not_remindable`; no recipient → 422 `recipient_missing`; a bad `to` → 400 `invalid_email` / `invalid_phone`. Nothing is written when it fails.",
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject] as const,
  request: { params: PaymentLinkIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(SendPaymentLinkInput) },
  responses: { 200: jsonResponse(PaymentLinkSendResult, "The link and the queued message."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerSendPaymentLink(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await sendPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json"), kind: "send" }), 200),
  );
}
