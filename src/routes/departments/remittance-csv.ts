import type { Context } from "hono";
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, type Router, ObjectEntityHeader } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { entityFromHeaderOrObject, type ObjectEntityEnv } from "../../middleware/tenancy";
import { csvHeaders } from "../../services/exports/csv";
import { getRemittance, RemittanceCsvQuery, remittanceCsv } from "../../services/exports/remittance";
import { serviceContext } from "../context";
import { CSV_FORMAT_DESCRIPTION } from "../exports/schema";
import { monthWithout, registerWithExtension, REMITTANCE_DESCRIPTION, RemittanceParams } from "./remittance-schema";

const route = createRoute({
  method: "get",
  path: "/departments/{id}/remittances/{month}.csv",
  operationId: "getDepartmentRemittanceCsv",
  tags: ["Departments", "Exports"],
  summary: "A department's monthly remittance statement, as CSV",
  description: `${REMITTANCE_DESCRIPTION}\n\nThe file holds five tables, each a title line, a header line and its rows, separated by an empty line: \`remittance_statement\` (organization, siret, department, department_code, iban, month, from, to, currency, collected, refunded, net), \`days\` (date, method, collected_count, collected, refunded_count, refunded), \`payments\` (date, receipt_number, invoice_number, payer_initials, method, amount, reference, payment_id), \`refunds\` (date, receipt_number, method, amount, refund_id) and \`voided_payments\` (as \`payments\`). ${CSV_FORMAT_DESCRIPTION.replace(" Streamed as it is read, page by page.", "")}`,
  middleware: [requireScope("reports:read"), entityFromHeaderOrObject] as const,
  request: { params: RemittanceParams, query: RemittanceCsvQuery, headers: ObjectEntityHeader },
  responses: {
    200: {
      description: "The CSV file.",
      headers: z.object({ "content-disposition": z.string().openapi({ example: 'attachment; filename="bordereau-CANTINE-2026-03.csv"' }) }),
      content: { "text/csv": { schema: z.string().openapi({ example: "remittance_statement\r\norganization;siret;department;…\r\n" }) } },
    },
    ...errorResponses(404),
  },
});

export function registerGetRemittanceCsv(app: Router) {
  registerWithExtension(app, route, async (c) => {
    const { id, month } = c.req.valid("param" as never) as { id: string; month: string };
    const query = c.req.valid("query" as never) as z.infer<typeof RemittanceCsvQuery>;
    const statement = await getRemittance({ ctx: serviceContext(c as never), departmentId: id, organizationId: (c as unknown as Context<ObjectEntityEnv>).get("entityScope"), month: monthWithout("csv", month), currency: query.currency });
    return new Response(remittanceCsv(statement, query.separator), { status: 200, headers: csvHeaders(`bordereau-${statement.department.code}-${statement.period.month}.csv`) });
  });
}
