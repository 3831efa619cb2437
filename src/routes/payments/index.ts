import { createRoute, z } from "@hono/zod-openapi";
import { instantRange } from "../../domain/dates";
import { DateBound, EntityHeader, errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, Timestamp, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../../services/context";
import { getPayment, listInvoicePayments, listPayments } from "../../services/payments/query";
import { InvoiceIdParam } from "../invoices/schema";
import { PaymentMethodSchema } from "../payment-links/schema";

const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string(),
    payment_intent_id: z.string(),
    payment_link_id: z.string(),
    amount: z.number().int().openapi({ description: "Collected, in cents (may be less than the invoice: partial payment).", example: 42200 }),
    refunded_amount: z.number().int(),
    currency: z.string(),
    method: PaymentMethodSchema,
    status: z.enum(["completed", "partially_refunded", "refunded"]),
    paid_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Payment");

const list = createRoute({
  method: "get",
  path: "/payments",
  operationId: "listPayments",
  tags: ["Payments"],
  summary: "List payments collected (the ledger), newest first",
  description: "The ledger of the X-Entity-Id organization: one entry per payment collected; filters on status, invoice, method and payment dates. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: PaginationQuery.extend({
      status: z.enum(["completed", "partially_refunded", "refunded"]).optional(),
      invoice_id: z.string().max(100).optional(),
      method: PaymentMethodSchema.optional(),
      from_date: DateBound.optional().openapi({ description: "Paid at or after (instant, or Paris date).", example: "2026-01-01" }),
      to_date: DateBound.optional().openapi({ description: "Paid on or before (a Paris date covers the whole day).", example: "2026-03-31" }),
    }),
  },
  responses: { 200: jsonResponse(paginated(PaymentSchema, "PaymentList"), "A page of payments."), ...errorResponses(404) },
});

const get = createRoute({
  method: "get",
  path: "/payments/{id}",
  operationId: "getPayment",
  tags: ["Payments"],
  summary: "Retrieve a payment",
  description: "A ledger entry, with what was refunded of it. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: {
    params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pay-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }) }),
    headers: EntityHeader,
  },
  responses: { 200: jsonResponse(PaymentSchema, "The payment."), ...errorResponses(404) },
});

const ofInvoice = createRoute({
  method: "get",
  path: "/invoices/{id}/payments",
  operationId: "listInvoicePayments",
  tags: ["Payments"],
  summary: "The payments of one invoice (partial payments add up)",
  description: "Every payment collected for the invoice, oldest first (partial payments add up). Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { params: InvoiceIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(z.object({ data: z.array(PaymentSchema) }).openapi("InvoicePayments"), "The invoice's payments, oldest first."), ...errorResponses(404) },
});

export function registerPaymentRoutes(app: Router) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const { from, toExclusive } = instantRange(q.from_date, q.to_date);
    return c.json(
      await listPayments({
        ctx: serviceContext(c),
        organizationId: c.get("entityId")!,
        input: {
          ...pageParams(q),
          status: q.status,
          invoice_id: q.invoice_id,
          method: q.method,
          from,
          to: toExclusive,
        },
      }),
      200,
    );
  });
  app.openapi(get, async (c) => c.json(await getPayment({ ctx: serviceContext(c), organizationId: c.get("entityId")!, id: c.req.valid("param").id }), 200));
  app.openapi(ofInvoice, async (c) =>
    c.json(await listInvoicePayments({ ctx: serviceContext(c), organizationId: c.get("entityId")!, invoiceId: c.req.valid("param").id }), 200),
  );
}
