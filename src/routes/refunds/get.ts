import { createRoute } from "@hono/zod-openapi";
import { ObjectEntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getRefund } from "../../services/refunds/refunds";
import { serviceContext } from "../context";
import { RefundIdParam, RefundSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/refunds/{id}",
  operationId: "getRefund",
  tags: ["Refunds"],
  summary: "Retrieve a refund",
  description:
    "A refund of the caller's organizations (X-Entity-Id optional), pending, succeeded or failed. Scope `refunds:read`. Found at once after `POST /v1/refunds` answers, even before the refund reaches the lists and the invoice (the payment intent's object answers it until then).",
  middleware: [requireScope("refunds:read"), entityFromHeaderOrObject] as const,
  request: { params: RefundIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(RefundSchema, "The refund."), ...errorResponses(404) },
});

export function registerGetRefund(app: Router) {
  app.openapi(route, async (c) => c.json(await getRefund({ ctx: serviceContext(c), organizationId: c.get("entityScope"), id: c.req.valid("param").id }), 200));
}
