import type { SQL } from "drizzle-orm";
import type { auditLogs } from "./schema";

type AuditInsert = typeof auditLogs.$inferInsert;

/** Who changed something, from where and when: what an audit entry records besides the change. */
export interface AuditSource {
  actor: { id: string; type: AuditInsert["user_type"] };
  ip: string | null;
  requestId: string | null;
  at: string;
}

export interface AuditChange {
  id: string;
  /** The tenant's owner columns (`owner(…)`): the entry belongs to whoever owns the changed row. */
  owner: { partner_id: string; livemode: boolean };
  organizationId: string | null;
  resourceType: string;
  resourceId: string;
  action: string;
  /** The before/after diff, or the same built in SQL when it depends on values assigned in the batch. */
  changes: AuditInsert["changes"] | SQL;
}

/**
 * The audit_logs row of a change. Services, the operator's endpoints and the payment intents'
 * projection all write the trail through this one shape.
 */
export function auditRow(source: AuditSource, change: AuditChange) {
  return {
    id: change.id,
    ...change.owner,
    organization_id: change.organizationId,
    resource_type: change.resourceType,
    resource_id: change.resourceId,
    action: change.action,
    user_id: source.actor.id,
    user_type: source.actor.type,
    ip_address: source.ip,
    request_id: source.requestId,
    // drizzle takes an SQL value in place of any column's value; its types only know the JSON shape.
    changes: change.changes as AuditInsert["changes"],
    created_at: source.at,
  } satisfies AuditInsert;
}
