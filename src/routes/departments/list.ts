import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, paginated, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { listDepartments, ListDepartmentsInput } from "../../services/departments/list-departments";
import { OrganizationIdParam } from "../organizations/schema";
import { DepartmentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations/{id}/departments",
  operationId: "listDepartments",
  tags: ["Departments"],
  summary: "List an organization's departments, newest first",
  description: "The departments (régies, services) of one of your organizations. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: { params: OrganizationIdParam, query: ListDepartmentsInput },
  responses: { 200: jsonResponse(paginated(DepartmentSchema, "DepartmentList"), "A page of departments."), ...errorResponses(404) },
});

export function registerListDepartments(app: Router) {
  app.openapi(route, async (c) =>
    c.json(
      await listDepartments({ ctx: serviceContext(c), organizationId: c.req.valid("param").id, input: c.req.valid("query") }),
      200,
    ),
  );
}
