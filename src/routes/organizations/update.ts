import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { updateOrganization, UpdateOrganizationInput } from "../../services/organizations/update-organization";
import { OrganizationIdParam, OrganizationSchema } from "./schema";

const route = createRoute({
  method: "patch",
  path: "/organizations/{id}",
  operationId: "updateOrganization",
  tags: ["Organizations"],
  summary: "Update an organization",
  description: "Only the fields sent change; `null` clears an optional field. The audit trail records the difference. `accounting` sets the accounts the FEC export books to (GET /v1/exports/fec): account numbers of 3 to 20 digits, 400 naming the field otherwise; `null` returns to the plan comptable général's defaults.",
  middleware: [requireScope("organizations:write")] as const,
  request: { params: OrganizationIdParam, headers: IdempotencyHeader, body: jsonBody(UpdateOrganizationInput) },
  responses: { 200: jsonResponse(OrganizationSchema, "The updated organization."), ...errorResponses(404, 409, 413, 415, 422) },
});

export function registerUpdateOrganization(app: Router) {
  app.openapi(route, async (c) =>
    c.json(await updateOrganization({ ctx: serviceContext(c), id: c.req.valid("param").id, input: c.req.valid("json") }), 200),
  );
}
