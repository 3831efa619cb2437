import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The API call log (issue 15): its own D1 database (binding LOGS, migrations-logs/), written only
 * by the `request-logs` queue consumer, so a year of calls does not weigh on the system of record
 * and a logging outage never touches a payment. One row per request to /v1. Never a body, a token,
 * a secret or a query value: only what identifies the call.
 */
export const requestLogs = sqliteTable(
  "request_logs",
  {
    id: text("id").primaryKey(),
    request_id: text("request_id").notNull(),
    /** Null when the caller was not authenticated (401/403 before a credential was known): operators only. */
    partner_id: text("partner_id"),
    livemode: integer("livemode", { mode: "boolean" }),
    organization_id: text("organization_id"),
    credential_id: text("credential_id"),
    method: text("method").notNull(),
    /** The matched route template (`/v1/invoices/{id}`), or the raw path shape when no route matched. */
    route: text("route").notNull(),
    /** The path's parameter values (object ids), by parameter name. */
    path_ids: text("path_ids", { mode: "json" }).$type<Record<string, string>>().notNull(),
    status: integer("status").notNull(),
    duration_ms: integer("duration_ms").notNull(),
    ip: text("ip"),
    user_agent: text("user_agent"),
    idempotency_key: text("idempotency_key"),
    replayed: integer("replayed", { mode: "boolean" }).notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [
    index("request_logs_tenant_created_idx").on(t.partner_id, t.livemode, t.created_at),
    index("request_logs_tenant_request_idx").on(t.partner_id, t.livemode, t.request_id),
    // The one-year retention deletes by age, across partners.
    index("request_logs_created_idx").on(t.created_at),
  ],
);

export type RequestLogRow = typeof requestLogs.$inferSelect;
