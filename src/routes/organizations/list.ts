import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../../services/context";
import { listOrganizations } from "../../services/organizations/list-organizations";
import { OrganizationSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations",
  operationId: "listOrganizations",
  tags: ["Organizations"],
  summary: "List organizations, newest first",
  description: "The calling partner's organizations in the credential's mode (test or live), optionally of one `type`. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: {
    query: PaginationQuery.extend({
      type: z.enum(["company", "public_entity"]).optional().openapi({ description: "Only this type." }),
    }),
  },
  responses: { 200: jsonResponse(paginated(OrganizationSchema, "OrganizationList"), "A page of organizations."), ...errorResponses() },
});

export function registerListOrganizations(app: Router) {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listOrganizations({ ctx: serviceContext(c), input: { ...pageParams(query), type: query.type } }), 200);
  });
}
