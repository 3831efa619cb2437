import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { createDepartment, CreateDepartmentInput } from "../../services/departments/create-department";
import { OrganizationIdParam } from "../organizations/schema";
import { DepartmentSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/organizations/{id}/departments",
  operationId: "createDepartment",
  tags: ["Departments"],
  summary: "Create a department (régie or service) in an organization",
  description: "Seed 001 quickstart step 4. `code` is unique per organization (409 `department_code_taken`).",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: OrganizationIdParam, headers: IdempotencyHeader, body: jsonBody(CreateDepartmentInput) },
  responses: { 201: jsonResponse(DepartmentSchema, "The department."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerCreateDepartment(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await createDepartment({ ctx: serviceContext(c), organizationId: c.req.valid("param").id, input: c.req.valid("json") }), 201),
  );
}
