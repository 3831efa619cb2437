import type { Context } from "hono";
import { createRoute, type z } from "@hono/zod-openapi";
import { errorResponses, fileBody, fileResponse, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject, type ObjectEntityEnv } from "../../middleware/tenancy";
import { getRemittance, RemittanceQuery, remittancePdf } from "../../services/exports/remittance";
import { serviceContext } from "../context";
import { monthWithout, registerWithExtension, REMITTANCE_DESCRIPTION, RemittanceParams } from "./remittance-schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/remittances/{month}.pdf",
  operationId: "getDepartmentRemittancePdf",
  tags: ["Departments", "Exports"],
  summary: "A department's monthly remittance statement, as a PDF to sign",
  description: `${REMITTANCE_DESCRIPTION}\n\nThe PDF (in French, PDF/A-3b): the totals, the summary per method, the lines per day and method, every payment and refund, the voided payments apart, and the block the régisseur signs (name, date, signature) with room for the comptable's visa. Deterministic: the same data gives the same bytes.`,
  middleware: [requireScope("reports:read"), entityFromHeaderOrObject] as const,
  request: { params: RemittanceParams, query: RemittanceQuery, headers: ObjectEntityHeader },
  responses: { 200: fileResponse("application/pdf", "The statement as a PDF."), ...errorResponses(404) },
});

export function registerGetRemittancePdf(app: Router) {
  registerWithExtension(app, route, async (c) => {
    const { id, month } = c.req.valid("param" as never) as { id: string; month: string };
    const query = c.req.valid("query" as never) as z.infer<typeof RemittanceQuery>;
    const statement = await getRemittance({ ctx: serviceContext(c as never), departmentId: id, organizationId: (c as unknown as Context<ObjectEntityEnv>).get("entityScope"), month: monthWithout("pdf", month), currency: query.currency });
    return fileBody(await remittancePdf(statement));
  });
}
