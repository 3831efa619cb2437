import { and, count, eq, gte, lt } from "drizzle-orm";
import { auditLogs, organizations } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { scoped } from "../tenancy";

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

export interface AuditLogFilters {
  resource_type?: string | undefined;
  resource_id?: string | undefined;
  action?: string | undefined;
  /** Inclusive lower bound, ISO instant. */
  from?: string | undefined;
  /** Exclusive upper bound, ISO instant. */
  toExclusive?: string | undefined;
}

/** Oldest first, like a journal. The organization check rides in the same batch as the page. */
export async function listAuditLogs({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: AuditLogFilters & { page: number; pageSize: number; offset: number };
}) {
  const where = and(
    scoped(ctx, auditLogs, organizationId),
    input.resource_type ? eq(auditLogs.resource_type, input.resource_type) : undefined,
    input.resource_id ? eq(auditLogs.resource_id, input.resource_id) : undefined,
    input.action ? eq(auditLogs.action, input.action) : undefined,
    input.from ? gte(auditLogs.created_at, input.from) : undefined,
    input.toExclusive ? lt(auditLogs.created_at, input.toExclusive) : undefined,
  );
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(auditLogs).where(where).orderBy(auditLogs.created_at, auditLogs.id).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(auditLogs).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  return { data: rows.map(presentAuditLog), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}

