import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { updatePartner, UpdatePartnerInput } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, PartnerIdParam, PartnerSchema } from "./schema";

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
    body: jsonBody(UpdatePartnerInput),
  },
  responses: { 200: jsonResponse(PartnerSchema, "The updated partner."), ...errorResponses(404, 413, 415) },
});

export function registerUpdatePartner(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updatePartner({ ctx: operatorContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
