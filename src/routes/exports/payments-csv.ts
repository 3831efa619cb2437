import { createRoute, z } from "@hono/zod-openapi";
import { EntityHeader, errorResponses, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { csvHeaders, describeColumns } from "../../services/exports/csv";
import { ExportPaymentsInput, exportPaymentsCsv, PAYMENT_CSV_COLUMNS } from "../../services/exports/payments-csv";
import { serviceContext } from "../context";
import { CSV_FORMAT_DESCRIPTION } from "./schema";

const route = createRoute({
  method: "get",
  path: "/exports/payments.csv",
  operationId: "exportPaymentsCsv",
  tags: ["Exports"],
  summary: "Download the payments as CSV",
  description: `Every payment GET /v1/payments lists with the same filters (all pages), newest first, one row per payment. ${CSV_FORMAT_DESCRIPTION}\n\nColumns, in order: ${describeColumns(PAYMENT_CSV_COLUMNS)}. Scope \`reports:read\`.`,
  middleware: [requireScope("reports:read"), requireEntity] as const,
  request: { headers: EntityHeader, query: ExportPaymentsInput },
  responses: {
    200: {
      description: "The CSV file.",
      headers: z.object({ "content-disposition": z.string().openapi({ example: 'attachment; filename="payments.csv"' }) }),
      content: { "text/csv": { schema: z.string().openapi({ example: `${PAYMENT_CSV_COLUMNS.map((c) => c.header).join(";")}\r\n` }) } },
    },
    ...errorResponses(404),
  },
});

export function registerExportPaymentsCsv(app: Router) {
  app.openapi(route, async (c) => {
    const stream = await exportPaymentsCsv({ ctx: serviceContext(c), organizationId: c.get("entityId"), input: c.req.valid("query") });
    return new Response(stream, { status: 200, headers: csvHeaders("payments.csv") }) as never;
  });
}
