import { createRoute } from "@hono/zod-openapi";
import { errorResponses, IdempotencyHeader, jsonBody, jsonResponse, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { serviceContext } from "../context";
import { createOrganization, CreateOrganizationInput } from "../../services/organizations/create-organization";
import { OrganizationSchema } from "./schema";

const route = createRoute({
  method: "post",
  path: "/organizations",
  operationId: "createOrganization",
  tags: ["Organizations"],
  summary: "Create an organization (a company or a public body)",
  description:
    "Seed 001 quickstart step 3. In test mode a SIRET or VAT number whose checksum fails is accepted with a `warnings` entry; live mode refuses it with 400.",
  middleware: [requireScope("organizations:write")] as const,
  request: { headers: IdempotencyHeader, body: jsonBody(CreateOrganizationInput) },
  responses: { 201: jsonResponse(OrganizationSchema, "The organization."), ...errorResponses(409, 413, 415, 422) },
});

export function registerCreateOrganization(app: Router) {
  app.openapi(route, async (c) => c.json(await createOrganization({ ctx: serviceContext(c), input: c.req.valid("json") }), 201));
}
