import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { Text } from "../../lib/text";
import { updatePartner } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, PartnerIdParam, PartnerSchema, PlanSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/partners/{id}",
  operationId: "updatePartner",
  tags: ["Admin"],
  summary: "Rename a partner or change its plan (rate limit applies at once)",
  description: "Operator only. Only the fields sent change.",
  security: ADMIN_SECURITY,
  request: {
    params: PartnerIdParam,
    body: jsonBody(
      z.object({
        name: Text({ min: 1, max: 200 }).optional(),
        plan: PlanSchema.optional(),
      }).openapi("PartnerUpdate", { example: { plan: "enterprise" } }),
    ),
  },
  responses: { 200: jsonResponse(PartnerSchema, "The updated partner."), ...errorResponses(404, 413, 415) },
});

export function registerUpdatePartner(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updatePartner(operatorContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
