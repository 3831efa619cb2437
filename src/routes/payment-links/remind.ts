import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { RemindPaymentLinkInput, sendPaymentLink } from "../../services/payment-links/send-payment-link";
import { serviceContext } from "../context";
import { PaymentLinkIdParam } from "./schema";
import { PaymentLinkSendResult } from "./send";

const route = createRoute({
  method: "post",
  path: "/payment_links/{id}/remind",
  operationId: "remindPaymentLink",
  tags: ["Payment links"],
  summary: "Remind the payer of a payment link",
  description:
    "Issue 13 (seed 003 \"relance\"). The reminder that fits the invoice's due date (`reminder_before_due`, `reminder_due` or `reminder_overdue`), with the page; by email (default), the invoice PDF. Adds one to the link's `reminder_count` and sets `last_reminded_at`. A completed, expired or revoked link → 409 `not_remindable`; no recipient → 422 `recipient_missing`. Nothing is written when it fails.",
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject] as const,
  request: {
    params: PaymentLinkIdParam,
    headers: ObjectEntityHeader.merge(IdempotencyHeader),
    body: { required: false, content: { "application/json": { schema: RemindPaymentLinkInput } } },
  },
  responses: { 200: jsonResponse(PaymentLinkSendResult, "The link with its counters, and the queued reminder."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerRemindPaymentLink(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await sendPaymentLink({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") ?? {}, kind: "remind" }),
      200,
    ),
  );
}
