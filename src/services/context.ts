import type { SQL } from "drizzle-orm";
import type { Context } from "hono";
import { insertWhere } from "../db/guarded";
import type { Db } from "../db/client";
import { auditLogs, events } from "../db/schema";
import type { AppEnv, Env } from "../env";
import { newId } from "../lib/ids";
import type { Principal } from "../lib/principal";

/** What every service receives: storage, the caller, and the request's identity for the audit trail. */
export interface ServiceContext {
  db: Db;
  env: Env;
  principal: Principal;
  requestId: string;
  ip: string | null;
  /** One clock reading per request, so all rows of a change share a timestamp. */
  now: string;
}

export function serviceContext(c: Context<AppEnv>): ServiceContext {
  return {
    db: c.get("db"),
    env: c.env,
    principal: c.get("principal"),
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? null,
    now: new Date().toISOString(),
  };
}

export interface AuditInput {
  organizationId: string | null;
  resourceType: string;
  resourceId: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * The audit entry of a change, as a statement to put in the change's own db.batch. With a
 * guard, it is written only if the guard holds, i.e. exactly when the guarded change is.
 */
export function auditEntry(ctx: ServiceContext, input: AuditInput, guard?: SQL) {
  const values = {
    id: newId("audit_log"),
    partner_id: ctx.principal.partnerId,
    livemode: ctx.principal.livemode,
    organization_id: input.organizationId,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    action: input.action,
    user_id: ctx.principal.credentialId,
    user_type: "partner",
    ip_address: ctx.ip,
    request_id: ctx.requestId,
    changes: { before: input.before, after: input.after },
    created_at: ctx.now,
  } satisfies typeof auditLogs.$inferInsert;
  return guard ? insertWhere(ctx.db, auditLogs, values, guard) : ctx.db.insert(auditLogs).values(values);
}

export interface EventInput {
  organizationId: string | null;
  type: string;
  data: Record<string, unknown>;
}

/** The outbox row of an event, in the same batch as the change it reports. */
export function eventEntry(ctx: ServiceContext, input: EventInput) {
  return ctx.db.insert(events).values({
    id: newId("event"),
    partner_id: ctx.principal.partnerId,
    livemode: ctx.principal.livemode,
    organization_id: input.organizationId,
    type: input.type,
    data: input.data,
    created_at: ctx.now,
    enqueued_at: null,
  });
}

/** Fields of `after` that differ from `before`, for a compact audit diff of an update. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
