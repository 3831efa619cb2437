import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { getDepartment } from "../../services/departments/get-department";
import { DepartmentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/organizations/{id}/departments/{dept_id}",
  operationId: "getOrganizationDepartment",
  tags: ["Departments"],
  summary: "Retrieve a department of an organization",
  description: "The department, provided it belongs to that organization (404 otherwise). Scope `organizations:read`.",
  middleware: [requireScope("organizations:read")] as const,
  request: {
    params: z.object({
      id: z.string().openapi({ param: { name: "id", in: "path" }, example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
      dept_id: z.string().openapi({ param: { name: "dept_id", in: "path" }, example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    }),
  },
  responses: { 200: jsonResponse(DepartmentSchema, "The department."), ...errorResponses(404) },
});

export function registerGetOrganizationDepartment(app: Router) {
  app.openapi(route, async (c) => {
    const { id, dept_id } = c.req.valid("param");
    return c.json(await getDepartment({ ctx: serviceContext(c), id: dept_id, organizationId: id }), 200);
  });
}
