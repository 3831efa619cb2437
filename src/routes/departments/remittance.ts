import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject } from "../../middleware/tenancy";
import { getRemittance, presentRemittance, RemittanceQuery } from "../../services/exports/remittance";
import { serviceContext } from "../context";
import { REMITTANCE_DESCRIPTION, RemittanceParams, RemittanceSchema } from "./remittance-schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/remittances/{month}",
  operationId: "getDepartmentRemittance",
  tags: ["Departments", "Exports"],
  summary: "A department's monthly remittance statement",
  description: `${REMITTANCE_DESCRIPTION} The same statement as CSV: \`…/{month}.csv\`; as a PDF to sign: \`…/{month}.pdf\`.`,
  middleware: [requireScope("reports:read"), entityFromHeaderOrObject] as const,
  request: { params: RemittanceParams, query: RemittanceQuery, headers: ObjectEntityHeader },
  responses: { 200: jsonResponse(RemittanceSchema, "The statement."), ...errorResponses(404) },
});

export function registerGetRemittance(app: Router) {
  app.openapi(route, async (c) => {
    const { id, month } = c.req.valid("param");
    const statement = await getRemittance({ ctx: serviceContext(c), departmentId: id, organizationId: c.get("entityScope"), month, currency: c.req.valid("query").currency });
    return c.json(presentRemittance(statement) as never, 200);
  });
}
