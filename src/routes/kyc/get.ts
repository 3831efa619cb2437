import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { serviceContext } from "../context";
import { getKyc } from "../../services/kyc/get-kyc";
import { DepartmentIdParam } from "../departments/schema";
import { KycWithHistorySchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/kyc",
  operationId: "getKyc",
  tags: ["Departments"],
  summary: "The department's current KYC verification",
  description: "The latest KYC submission of the department, with the earlier ones in `history` (newest first). Scope `organizations:read`.",
  middleware: [requireScope("organizations:read"), entityFromHeaderOrObject] as const,
  request: { params: DepartmentIdParam, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(KycWithHistorySchema, "The latest submission and the earlier ones."), ...errorResponses(404) },
});

export function registerGetKyc(app: Router) {
  app.openapi(route, async (c) => c.json(await getKyc({ ctx: serviceContext(c), departmentId: c.req.valid("param").id, organizationId: c.get("entityScope") }), 200));
}
