import { createRoute } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { getPartner } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, CredentialSchema, PartnerIdParam, PartnerSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/partners/{id}",
  operationId: "getPartner",
  tags: ["Admin"],
  summary: "Retrieve a partner and its credentials (without secrets)",
  description: "Operator only. The credentials are listed with their hints (`secret_key_hint`), never their secrets.",
  security: ADMIN_SECURITY,
  request: { params: PartnerIdParam },
  responses: {
    200: jsonResponse(PartnerSchema.extend({ credentials: z.array(CredentialSchema) }), "The partner."),
    ...errorResponses(404),
  },
});

export function registerGetPartner(app: Router) {
  app.openapi(route, async (c) => c.json(await getPartner({ ctx: operatorContext(c), id: c.req.valid("param").id }), 200));
}
