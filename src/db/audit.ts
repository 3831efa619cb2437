import { sql, type SQL } from "drizzle-orm";
import { auditLogs } from "./schema";

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
    sequence: auditSequence(change.owner.partner_id, change.owner.livemode) as unknown as number,
  } satisfies AuditInsert;
}

/**
 * The entry's position in its partner's chain for this mode: the chain's maximum + 1, evaluated by
 * the entry's own insert, inside its batch. D1 runs batches one at a time, so concurrent writers
 * take consecutive positions, and a batch that fails takes none (no gap); the unique index
 * audit_chain_sequence makes a fork impossible. Retention never deletes a chain's head, so the
 * maximum never goes back. Takes SQL for an insert … select that copies the owner from a row.
 */
export function auditSequence(partnerId: string | SQL, livemode: boolean | SQL): SQL {
  const mode = typeof livemode === "boolean" ? (livemode ? 1 : 0) : livemode;
  return sql`(SELECT coalesce(max(${auditLogs.sequence}), 0) + 1 FROM ${auditLogs} WHERE ${auditLogs.partner_id} = ${partnerId} AND ${auditLogs.livemode} = ${mode})`;
}
