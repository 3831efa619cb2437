import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { Text } from "../../lib/text";
import { createPartner } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, IssuedCredentialSchema, PartnerSchema, PlanSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/partners",
  operationId: "createPartner",
  tags: ["Admin"],
  summary: "Create a partner with its test-mode credentials",
  description: "Operator only. The credentials' secrets are in this response and never again.",
  security: ADMIN_SECURITY,
  request: {
    body: jsonBody(
      z.object({
        name: Text({ min: 1, max: 200 }).openapi({ example: "Acme Intégrations" }),
        plan: PlanSchema.optional(),
      }).openapi("PartnerCreate", { example: { name: "Acme Intégrations", plan: "business" } }),
    ),
  },
  responses: {
    201: jsonResponse(PartnerSchema.extend({ credentials: IssuedCredentialSchema }).openapi("PartnerWithCredentials"), "The partner and its first (test-mode) credentials."),
    ...errorResponses(413, 415),
  },
});

export function registerCreatePartner(app: Router) {
  app.openapi(route, async (c) => c.json(await createPartner(operatorContext(c), c.req.valid("json")), 201));
}
