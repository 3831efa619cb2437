import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { revokeCredential } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, CredentialSchema } from "./schema";

const route = createRoute({
  method: "delete",
  path: "/partners/{id}/credentials/{credential_id}",
  operationId: "revokeCredential",
  tags: ["Admin"],
  summary: "Revoke a credential at once (its API keys and the access tokens minted from it)",
  description: "Operator only. From the next request on, its API keys and every access token minted from it answer 401.",
  security: ADMIN_SECURITY,
  request: {
    params: z.object({
      id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ptn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
      credential_id: z.string().openapi({ param: { name: "credential_id", in: "path" }, example: "cred-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    }),
  },
  responses: { 200: jsonResponse(CredentialSchema, "The revoked credential."), ...errorResponses(404) },
});

export function registerRevokeCredential(app: Router) {
  app.openapi(route, async (c) => {
    const { id, credential_id } = c.req.valid("param");
    return c.json(await revokeCredential({ ctx: operatorContext(c), partnerId: id, credentialId: credential_id }), 200);
  });
}
