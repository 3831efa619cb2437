import { createRoute, z } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { csvHeaders, describeColumns } from "../../services/exports/csv";
import { ExportInvoicesInput, exportInvoicesCsv, INVOICE_CSV_COLUMNS } from "../../services/exports/invoices-csv";
import { serviceContext } from "../context";
import { CSV_FORMAT_DESCRIPTION } from "./schema";

const route = createRoute({
  method: "get",
  path: "/exports/invoices.csv",
  operationId: "exportInvoicesCsv",
  tags: ["Exports"],
  summary: "Download the invoices as CSV",
  description: `Every invoice GET /v1/invoices lists with the same filters (all pages), newest first, one row per invoice. ${CSV_FORMAT_DESCRIPTION}\n\nColumns, in order: ${describeColumns(INVOICE_CSV_COLUMNS)}. Scope \`reports:read\`.`,
  middleware: [requireScope("reports:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ExportInvoicesInput },
  responses: {
    200: {
      description: "The CSV file.",
      headers: z.object({ "content-disposition": z.string().openapi({ example: 'attachment; filename="invoices.csv"' }) }),
      content: { "text/csv": { schema: z.string().openapi({ example: `${INVOICE_CSV_COLUMNS.map((c) => c.header).join(";")}\r\n` }) } },
    },
    ...errorResponses(404),
  },
});

export function registerExportInvoicesCsv(app: Router) {
  app.openapi(route, async (c) => {
    const stream = await exportInvoicesCsv({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") });
    return new Response(stream, { status: 200, headers: csvHeaders("invoices.csv") }) as never;
  });
}
