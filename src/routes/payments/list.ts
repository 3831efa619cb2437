import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { listPayments, ListPaymentsInput } from "../../services/payments/query";
import { serviceContext } from "../context";
import { PaymentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/payments",
  operationId: "listPayments",
  tags: ["Payments"],
  summary: "List payments collected (the ledger), newest first",
  description:
    "The ledger of the X-Entity-Id organization: one entry per payment, online (through a payment link) or recorded at the counter (`source: \"offline\"`); filters on status, invoice, method, department (the payment's, else its invoice's), amount received (`min_amount`, `max_amount`, cents, inclusive) and payment dates. Scope `payments:read`.",
  middleware: [requireScope("payments:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ListPaymentsInput },
  responses: { 200: jsonResponse(paginated(PaymentSchema, "PaymentList"), "A page of payments."), ...errorResponses(404) },
});

export function registerListPayments(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await listPayments({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") }), 200),
  );
}
