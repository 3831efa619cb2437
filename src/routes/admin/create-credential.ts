import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { issueCredential, IssueCredentialInput } from "../../services/partners/admin";
import { operatorContext } from "./context";
import { ADMIN_SECURITY, IssuedCredentialSchema, PartnerIdParam } from "./schema";

const route = createRoute({
  method: "post",
  path: "/partners/{id}/credentials",
  operationId: "createCredential",
  tags: ["Admin"],
  summary: "Issue another credential set (test or live)",
  description: "Rotation is: issue a new set, move traffic, revoke the old one.",
  security: ADMIN_SECURITY,
  request: {
    params: PartnerIdParam,
    body: jsonBody(IssueCredentialInput),
  },
  responses: { 201: jsonResponse(IssuedCredentialSchema, "The credential, with its secrets shown this once."), ...errorResponses(404, 413, 415) },
});

export function registerCreateCredential(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await issueCredential({ ctx: operatorContext(c), partnerId: c.req.valid("param").id, input: c.req.valid("json") }), 201),
  );
}
