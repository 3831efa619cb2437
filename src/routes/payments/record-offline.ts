import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { recordOfflinePayment, RecordOfflinePaymentInput } from "../../services/payments/record-offline-payment";
import { serviceContext } from "../context";
import { InvoiceIdParam } from "../invoices/schema";
import { PaymentSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/invoices/{id}/payments",
  operationId: "recordInvoicePayment",
  tags: ["Payments"],
  summary: "Record a payment received at the counter (cash, cheque, transfer)",
  description:
    "A payment taken outside the platform — a régie's counter, a cheque, a transfer seen on the account — entered in the ledger (`source: \"offline\"`, status `completed`) with its date of receipt. The invoice's `amount_paid`, `amount_due` and status are recomputed exactly as for an online payment (`invoice.status_changed` when the status changes); emits `payment.created`; audited. The invoice must be `issued`, `partially_paid` or `overdue` (else 409 `invoice_not_payable`). The amount may not exceed what is due less the active payment links and uncaptured card holds (422 `amount_exceeds_due`; 422 `nothing_left_to_pay` when all of it is in links or holds: revoke a link to take its amount at the counter). The invoice's department may restrict the methods (`offline_methods`: 422 `offline_method_not_accepted`) and cash amounts (`cash_ceiling`: 422 `cash_ceiling_exceeded`). A `received_at` in the future → 400 `received_at_in_future`. Nothing is written when a request fails. A payment recorded by mistake is voided (POST /v1/payments/{id}/void). Scope `payments:write`.",
  middleware: [requireScope("payments:write"), entityFromHeaderOrObject] as const,
  request: { params: InvoiceIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(RecordOfflinePaymentInput) },
  responses: { 201: jsonResponse(PaymentSchema, "The payment, in the ledger."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerRecordInvoicePayment(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await recordOfflinePayment({ ctx: serviceContext(c), organizationId: c.get("entityScope"), invoiceId: c.req.valid("param").id, input: c.req.valid("json") }),
      201,
    ),
  );
}
