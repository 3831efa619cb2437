import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { getOrganization } from "../../services/organizations/get-organization";
import { OrganizationIdParam, OrganizationSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations/{id}",
  operationId: "getOrganization",
  tags: ["Organizations"],
  summary: "Retrieve an organization",
  description: "Another partner's or the other mode's organization answers 404. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: { params: OrganizationIdParam },
  responses: { 200: jsonResponse(OrganizationSchema, "The organization."), ...errorResponses(404) },
});

export function registerGetOrganization(app: Router) {
  app.openapi(route, async (c) => c.json(await getOrganization({ ctx: serviceContext(c), id: c.req.valid("param").id }), 200));
}
