import { createRoute, z } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { sendInvoice, SendInvoiceInput } from "../../services/invoices/send-invoice";
import { serviceContext } from "../context";
import { MessageSchema } from "../messages/schema";
import { PaymentLinkSchema } from "../payment-links/schema";
import { InvoiceIdParam, InvoiceSchema } from "./schema";

const InvoiceSendResult = z
  .object({ object: z.literal("invoice_send"), invoice: InvoiceSchema, payment_link: PaymentLinkSchema, message: MessageSchema })
  .openapi("InvoiceSendResult");

const route = createRoute({
  method: "post",
  path: "/invoices/{id}/send",
  operationId: "sendInvoice",
  tags: ["Invoices"],
  summary: "Send an invoice to its payer by email or SMS",
  description: [
    "Issue 13. The message carries the amount due, the due date and the payment page; by email, the invoice's Factur-X PDF is attached. It goes to `to`, else to the payer's email (`channel: \"email\"`) or phone (`\"sms\"`), in French unless `locale: \"en\"`.",
    "Without an active payment link, one is created first with every payment method (`payment_link.created`). Then the message is queued, the link's `sent_at` set, and `invoice.sent` emitted, in one batch. In test mode nothing leaves the platform: `GET /v1/messages/{id}` shows what would have been sent.",
    "A draft → 409 `invoice_not_issued`; a paid or cancelled invoice → 409 `invoice_not_sendable`; no recipient → 422 `recipient_missing`; a bad `to` → 400 `invalid_email` / `invalid_phone`; SMS in live mode without a provider → 422 `sms_not_configured`. Nothing is written when it fails.",
  ].join("\n\n"),
  middleware: [requireScope("invoices:write"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(SendInvoiceInput) },
  responses: { 200: jsonResponse(InvoiceSendResult, "The invoice, the link it carries and the queued message."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerSendInvoice(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await sendInvoice({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
