import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listOrganizations, ListOrganizationsInput } from "../../services/organizations/list-organizations";
import { OrganizationSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations",
  operationId: "listOrganizations",
  tags: ["Organizations"],
  summary: "List organizations, newest first",
  description: "The calling partner's organizations in the credential's mode (test or live), optionally of one `type`. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: { query: ListOrganizationsInput },
  responses: { 200: jsonResponse(paginated(OrganizationSchema, "OrganizationList"), "A page of organizations."), ...errorResponses() },
});

export function registerListOrganizations(app: Router) {
  app.openapi(route, async (c) => c.json(await listOrganizations({ ctx: serviceContext(c), input: c.req.valid("query") }), 200));
}
