import { createRoute, z } from "@hono/zod-openapi";
import { boundToInstant } from "../../domain/dates";
import { INVOICE_STATUSES } from "../../domain/invoice-status";
import { EntityHeader, errorResponses, jsonResponse, paginated, pageParams, PaginationQuery, type Router } from "../../lib/openapi";
import { requireScope } from "../../middleware/scopes";
import { requireEntity } from "../../middleware/tenancy";
import { serviceContext } from "../../services/context";
import { listInvoices } from "../../services/invoices/list-invoices";
import { CalendarDate, InvoiceSchema } from "./schema";

const Instant = z
  .string()
  .refine((v) => boundToInstant(v, "start") !== null, "must be an ISO 8601 instant or a date YYYY-MM-DD (read in Europe/Paris)");

const route = createRoute({
  method: "get",
  path: "/invoices",
  operationId: "listInvoices",
  tags: ["Invoices"],
  summary: "List invoices, newest first",
  middleware: [requireScope("invoices:read"), requireEntity] as const,
  request: {
    headers: EntityHeader,
    query: PaginationQuery.extend({
      status: z.enum(INVOICE_STATUSES).optional(),
      department_id: z.string().max(100).optional(),
      payer_email: z.string().max(254).optional().openapi({ description: "Exact payer email (case-insensitive).", example: "jean.dupont@example.com" }),
      due_before: CalendarDate.optional().openapi({ description: "Due on or before this date." }),
      due_after: CalendarDate.optional().openapi({ description: "Due on or after this date." }),
      created_from: Instant.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
      created_to: Instant.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
      number: z.string().max(50).optional().openapi({ description: "Exact invoice number.", example: "FAC-2026-00001" }),
    }),
  },
  responses: { 200: jsonResponse(paginated(InvoiceSchema, "InvoiceList"), "A page of invoices."), ...errorResponses(404) },
});

export function registerListInvoices(app: Router) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
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
          created_from: q.created_from ? boundToInstant(q.created_from, "start")! : undefined,
          // A Paris date as upper bound covers the whole day; an instant is used as is (+1 ms: inclusive).
          created_to: q.created_to ? exclusiveEnd(q.created_to) : undefined,
          number: q.number,
        },
      }),
      200,
    );
  });
}

function exclusiveEnd(value: string): string {
  const end = boundToInstant(value, "end")!;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? end : new Date(Date.parse(end) + 1).toISOString();
}
