import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { updateDepartment, UpdateDepartmentInput } from "../../services/departments/update-department";
import { DepartmentIdParam, DepartmentSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/departments/{id}",
  operationId: "updateDepartment",
  tags: ["Departments"],
  summary: "Update a department",
  description: "Only the fields sent change. A code already used by another department of the organization answers 409 `department_code_taken`. Scope `organizations:write`.",
  middleware: [requireScope("organizations:write"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, headers: ObjectEntityHeader.merge(IdempotencyHeader), body: jsonBody(UpdateDepartmentInput) },
  responses: { 200: jsonResponse(DepartmentSchema, "The updated department."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerUpdateDepartment(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updateDepartment({ ctx: serviceContext(c), id: c.req.valid("param").id, organizationId: c.get("entityScope"), input: c.req.valid("json") }), 200),
  );
}
