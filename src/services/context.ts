import { inArray, is, SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import { insertWhere } from "../db/guarded";
import { newId } from "../lib/ids";
import type { Db } from "../db/client";
import { auditLogs, events } from "../db/schema";
import type { AppEnv, Env } from "../env";
import { StorageTimer } from "../lib/timing";
import type { PaymentIntent } from "../durable/payment-intent";
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
  /** Who the audit trail names: the calling credential, or the system for scheduled jobs. */
  actor: { id: string; type: "partner" | "operator" | "system" | "payer" };
  /** Work that may finish after the response (e.g. handing committed events to the queue). */
  defer: (work: Promise<unknown>) => void;
  /** The request's storage timer: Durable Object calls are reported in Server-Timing with D1's. */
  timer: StorageTimer;
  /** The request's Idempotency-Key, if any: lets a service derive ids that a retry reproduces. */
  idempotencyKey: string | null;
}

export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const principal = c.get("principal");
  return {
    db: c.get("db"),
    env: c.env,
    principal,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? null,
    now: new Date().toISOString(),
    actor: { id: principal.credentialId, type: "partner" },
    defer: (work) => c.executionCtx.waitUntil(work),
    timer: c.get("timer"),
    idempotencyKey: c.req.header("idempotency-key") ?? c.req.header("x-idempotency-key") ?? null,
  };
}

export interface AuditInput {
  organizationId: string | null;
  resourceType: string;
  resourceId: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Instead of before/after: the changes built in SQL (a value assigned inside the same batch). */
  changesSql?: SQL;
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
    user_id: ctx.actor.id,
    user_type: ctx.actor.type,
    ip_address: ctx.ip,
    request_id: ctx.requestId,
    changes: (input.changesSql ?? { before: input.before, after: input.after }) as { before: null; after: null },
    created_at: ctx.now,
  } satisfies typeof auditLogs.$inferInsert;
  return guard || input.changesSql ? insertWhere(ctx.db, auditLogs, values, guard ?? sql`1`) : ctx.db.insert(auditLogs).values(values);
}

export interface EventInput {
  /** Minted by the caller, so it can publish the event once the batch has committed. */
  id: string;
  organizationId: string | null;
  type: string;
  /** The payload, or an SQL expression building it (e.g. with a number assigned in the batch). */
  data: Record<string, unknown> | SQL;
}

/**
 * The outbox row of an event, in the same batch as the change it reports; with a guard, it is
 * written exactly when the guarded change is, so each state change yields exactly one event.
 */
export function eventEntry(ctx: ServiceContext, input: EventInput, guard?: SQL) {
  const values = {
    id: input.id,
    partner_id: ctx.principal.partnerId,
    livemode: ctx.principal.livemode,
    organization_id: input.organizationId,
    type: input.type,
    data: input.data as Record<string, unknown>,
    created_at: ctx.now,
    enqueued_at: null,
  } satisfies typeof events.$inferInsert;
  return guard || is(input.data, SQL) ? insertWhere(ctx.db, events, values, guard ?? sql`1`) : ctx.db.insert(events).values(values);
}

/**
 * Hands committed events to the webhooks queue right away and marks them enqueued; if this
 * fails (or the isolate dies first), the outbox relay cron sends them within a minute or two.
 */
export function publishEvents(ctx: ServiceContext, eventIds: string[]) {
  if (eventIds.length === 0) return;
  ctx.defer(
    (async () => {
      await ctx.env.WEBHOOKS.sendBatch(eventIds.map((id) => ({ body: { event_id: id } })));
      await ctx.db.update(events).set({ enqueued_at: new Date().toISOString() }).where(inArray(events.id, eventIds));
    })().catch((err) => console.error(JSON.stringify({ level: "warn", msg: "event publish deferred to the relay", error: String(err) }))),
  );
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

/** A context for scheduled jobs acting on one tenant's rows: the audit trail names the job. */
export function systemContext(
  base: { db: Db; env: Env; requestId: string; defer: ServiceContext["defer"] },
  tenant: { partnerId: string; livemode: boolean },
  job: string,
): ServiceContext {
  return {
    db: base.db,
    env: base.env,
    principal: {
      partnerId: tenant.partnerId,
      credentialId: job,
      mode: tenant.livemode ? "live" : "test",
      livemode: tenant.livemode,
      plan: "enterprise",
      scopes: [],
      via: "api_key",
    },
    requestId: base.requestId,
    ip: null,
    now: new Date().toISOString(),
    actor: { id: job, type: "system" },
    defer: base.defer,
    timer: new StorageTimer(),
    idempotencyKey: null,
  };
}

/** A call to a payment intent's Durable Object, timed as a storage round trip (`do-intent`). */
export function intentCall<T>(ctx: ServiceContext, intentId: string, method: string, call: (stub: DurableObjectStub<PaymentIntent>) => Promise<T>): Promise<T> {
  return ctx.timer.measure("do-intent", method, () => call(ctx.env.PAYMENT_INTENT.getByName(intentId)));
}
