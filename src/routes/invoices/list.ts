import { createRoute, z } from "@hono/zod-openapi";
import { instantRange } from "../../domain/dates";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { DateBound, EntityHeader, errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../../services/context";
import { listInvoices } from "../../services/invoices/list-invoices";
import { CalendarDate, InvoiceSchema } from "./schema";

const route = createRoute({
  method: "get",
  path: "/invoices",
  operationId: "listInvoices",
  tags: ["Invoices"],
  summary: "List invoices, newest first",
  description: "The invoices of the X-Entity-Id organization; filters on status, department, payer email (exact, case-insensitive), due dates, creation dates (instants or Paris dates) and number. Scope `invoices:read`.",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: PaginationQuery.extend({
      status: z.enum(INVOICE_STATUSES).optional(),
      department_id: z.string().max(100).optional(),
      payer_email: z.string().max(254).optional().openapi({ description: "Exact payer email (case-insensitive).", example: "jean.dupont@example.com" }),
      due_before: CalendarDate.optional().openapi({ description: "Due on or before this date." }),
      due_after: CalendarDate.optional().openapi({ description: "Due on or after this date." }),
      created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
      created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
      number: z.string().max(50).optional().openapi({ description: "Exact invoice number.", example: "FAC-2026-00001" }),
    }),
  },
  responses: { 200: jsonResponse(paginated(InvoiceSchema, "InvoiceList"), "A page of invoices."), ...errorResponses(404) },
});

export function registerListInvoices(app: Router) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const created = instantRange(q.created_from, q.created_to);
    return c.json(
      await listInvoices({
        ctx: serviceContext(c),
        organizationId: c.get("entityId")!,
        input: {
          ...pageParams(q),
          status: q.status,
          department_id: q.department_id,
          payer_email: q.payer_email,
          due_before: q.due_before,
          due_after: q.due_after,
          created_from: created.from,
          created_to: created.toExclusive,
          number: q.number,
        },
      }),
      200,
    );
  });
}

