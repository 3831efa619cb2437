import { createRoute, z } from "@hono/zod-openapi";
import { instantRange } from "../../domain/dates";
import { INTENT_STATUSES } from "../../domain/payment-intent";
import { DateBound, EntityHeader, errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, Timestamp, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../../services/context";
import { getPaymentIntent, listPaymentIntents } from "../../services/payment-intents/query";
import { PaymentMethodSchema } from "../payment-links/schema";

export const PaymentIntentSchema = z
  .object({
    id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("payment_intent"),
    livemode: z.boolean(),
    organization_id: z.string(),
    invoice_id: z.string(),
    payment_link_id: z.string(),
    amount: z.number().int().openapi({ example: 42200 }),
    currency: z.string(),
    status: z.enum(INTENT_STATUSES),
    selected_payment_method: PaymentMethodSchema.nullable(),
    aiia_status: z.enum(["initiated", "authorized", "settled", "rejected"]).nullable().openapi({ description: "The transfer at Aiia (open banking)." }),
    aiia_transaction_id: z.string().nullable().openapi({ example: "aiia-tx-789" }),
    provider_status: z.string().nullable().openapi({ description: "The provider's raw status." }),
    amount_received: z.number().int(),
    refunded_amount: z.number().int(),
    failure_code: z.string().nullable().openapi({ example: "insufficient_funds" }),
    failure_message: z.string().nullable(),
    completed_at: Timestamp.nullable(),
    version: z.number().int().openapi({ description: "Increases with every change of the intent." }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("PaymentIntent");

export const PaymentIntentIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

const get = createRoute({
  method: "get",
  path: "/payment_intents/{id}",
  operationId: "getPaymentIntent",
  tags: ["Payment intents"],
  summary: "Retrieve a payment intent",
  description: "A payment intent of the X-Entity-Id organization (read from the D1 projection of its Durable Object). Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { params: PaymentIntentIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(PaymentIntentSchema, "The intent."), ...errorResponses(404) },
});

const list = createRoute({
  method: "get",
  path: "/payment_intents",
  operationId: "listPaymentIntents",
  tags: ["Payment intents"],
  summary: "List payment intents, newest first",
  description: "The payment intents of the X-Entity-Id organization (the D1 projection of each intent's Durable Object); filters on status, invoice and creation dates. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: PaginationQuery.extend({
      status: z.enum(INTENT_STATUSES).optional(),
      invoice_id: z.string().max(100).optional(),
      created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date)." }),
      created_to: DateBound.optional().openapi({ description: "Created on or before (an instant, or a Paris date covering the whole day)." }),
    }),
  },
  responses: { 200: jsonResponse(paginated(PaymentIntentSchema, "PaymentIntentList"), "A page of intents."), ...errorResponses(404) },
});

export function registerPaymentIntentRoutes(app: Router) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const created = instantRange(q.created_from, q.created_to);
    return c.json(
      await listPaymentIntents({
        ctx: serviceContext(c),
        organizationId: c.get("entityId")!,
        input: {
          ...pageParams(q),
          status: q.status,
          invoice_id: q.invoice_id,
          created_from: created.from,
          created_to: created.toExclusive,
        },
      }),
      200,
    );
  });
  app.openapi(get, async (c) => c.json(await getPaymentIntent({ ctx: serviceContext(c), organizationId: c.get("entityId")!, id: c.req.valid("param").id }), 200));
}
