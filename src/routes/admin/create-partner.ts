import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { createPartner, CreatePartnerInput } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, IssuedCredentialSchema, PartnerSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/partners",
  operationId: "createPartner",
  tags: ["Admin"],
  summary: "Create a partner with its test-mode credentials",
  description: "Operator only. The credentials' secrets are in this response and never again.",
  security: ADMIN_SECURITY,
  request: { body: jsonBody(CreatePartnerInput) },
  responses: {
    201: jsonResponse(PartnerSchema.extend({ credentials: IssuedCredentialSchema }).openapi("PartnerWithCredentials"), "The partner and its first (test-mode) credentials."),
    ...errorResponses(413, 415),
  },
});

export function registerCreatePartner(app: Router) {
  app.openapi(route, async (c) => c.json(await createPartner({ ctx: operatorContext(c), input: c.req.valid("json") }), 201));
}
