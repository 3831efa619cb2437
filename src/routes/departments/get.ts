import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getDepartment } from "../../services/departments/get-department";
import { DepartmentIdParam, DepartmentSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}",
  operationId: "getDepartment",
  tags: ["Departments"],
  summary: "Retrieve a department",
  description: "A department by its id alone. Scope `organizations:read`.",
  middleware: [requireScope("organizations:read"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(DepartmentSchema, "The department."), ...errorResponses(404) },
});

export function registerGetDepartment(app: Router) {
  app.openapi(route, async (c) => c.json(await getDepartment({ ctx: serviceContext(c), id: c.req.valid("param").id, organizationId: c.get("entityScope") }), 200));
}
