import { createRoute } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { getRefund } from "../../services/refunds/refunds";
import { serviceContext } from "../context";
import { RefundIdParam, RefundSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/refunds/{id}",
  operationId: "getRefund",
  tags: ["Refunds"],
  summary: "Retrieve a refund",
  description: "A refund of the X-Entity-Id organization, pending, succeeded or failed. Scope `refunds:read`.",
  middleware: [requireScope("refunds:read"), requireEntity] as const,
  request: { params: RefundIdParam, headers: EntityHeader },
  responses: { 200: jsonResponse(RefundSchema, "The refund."), ...errorResponses(404) },
});

export function registerGetRefund(app: Router) {
  app.openapi(route, async (c) => c.json(await getRefund({ ctx: serviceContext(c), organizationId: c.get("entityId"), id: c.req.valid("param").id }), 200));
}
