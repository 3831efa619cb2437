import { z } from "@hono/zod-openapi";
import { and, isNull } from "drizzle-orm";
import { auditLogs } from "../../db/schema";
import { DateBound, PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export function presentAuditLog(row: typeof auditLogs.$inferSelect) {
  return {
    id: row.id,
    object: "audit_log" as const,
    livemode: row.livemode,
    timestamp: row.created_at,
    organization_id: row.organization_id,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    action: row.action,
    user_id: row.user_id,
    user_type: row.user_type,
    ip_address: row.ip_address,
    request_id: row.request_id,
    changes: row.changes,
  };
}

export const ListAuditLogsInput = PaginationQuery.extend({
  resource_type: z.string().max(50).optional().openapi({ example: "organization" }),
  resource_id: z.string().max(100).optional(),
  action: z.string().max(50).optional().openapi({ example: "created" }),
  from_date: DateBound.optional().openapi({ description: "Inclusive; an instant, or a Paris date.", example: "2024-02-01T00:00:00Z" }),
  to_date: DateBound.optional().openapi({ description: "Inclusive; a Paris date covers the whole day.", example: "2024-02-29" }),
});

/**
 * Oldest first, like a journal. With an organization, its entries (the organization check rides
 * in the same batch as the page); without one, the partner-level entries of the caller's partner
 * and mode, those that belong to no organization: webhook subscriptions, credentials, the
 * operator's actions on the partner, subscriptions disabled for failing.
 */
export async function listAuditLogs({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string | null; input: z.infer<typeof ListAuditLogsInput> }) {
  const where = and(
    organizationId === null ? and(scoped(ctx, auditLogs, ANY_ORGANIZATION), isNull(auditLogs.organization_id)) : scoped(ctx, auditLogs, organizationId),
    ...equalTo(input, { resource_type: auditLogs.resource_type, resource_id: auditLogs.resource_id, action: auditLogs.action }),
    within(auditLogs.created_at, input.from_date, input.to_date),
  );
  const rows = ctx.db.select().from(auditLogs).where(where).orderBy(auditLogs.created_at, auditLogs.id);
  const parent = organizationId === null ? undefined : organizationParent(ctx, organizationId);
  return listPage(ctx, input, { rows, from: auditLogs, where, parent }, presentAuditLog);
}
