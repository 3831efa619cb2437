import { is, SQL, sql } from "drizzle-orm";
import { auditRow, type AuditChange, type AuditSource } from "../db/audit";
import { insertWhere } from "../db/guarded";
import { newId } from "../lib/ids";
import type { Db } from "../db/client";
import { auditLogs, events } from "../db/schema";
import type { Env } from "../env";
import { StorageTimer } from "../lib/timing";
import { splitPersonalData } from "../domain/event-privacy";
import { sealEventData } from "./events/payload";
import type { Principal } from "../lib/principal";
import { log } from "../lib/log";
import { publishEventIds } from "../queues/publish";
import { ANY_ORGANIZATION, owner } from "./tenancy";

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
  /** Awaited before a Durable Object acts (intentCall): claims the request's Idempotency-Key on the operations that claim it upfront. */
  beforeEffect?: (() => Promise<void>) | undefined;
}

/** What changed: the rest of the audit entry (who, from where, when) comes from the context. */
export type AuditInput = Pick<AuditChange, "organizationId" | "resourceType" | "resourceId" | "action"> & {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Instead of before/after: the changes built in SQL (a value assigned inside the same batch). */
  changesSql?: SQL;
};

/**
 * The audit entry of a change, as a statement to put in the change's own db.batch. With a
 * guard, it is written only if the guard holds, i.e. exactly when the guarded change is.
 */
export function auditEntry(ctx: ServiceContext, input: AuditInput, guard?: SQL) {
  const values = auditRow(auditSource(ctx), {
    id: newId("audit_log"),
    owner: owner(ctx),
    organizationId: input.organizationId,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    action: input.action,
    changes: input.changesSql ?? { before: input.before, after: input.after },
  });
  return guard || input.changesSql ? insertWhere(ctx.db, auditLogs, values, guard ?? sql`1`) : ctx.db.insert(auditLogs).values(values);
}

/** Who the audit trail names for a change made under this context. */
export function auditSource(ctx: ServiceContext): AuditSource {
  return { actor: ctx.actor, ip: ctx.ip, requestId: ctx.requestId, at: ctx.now };
}

export interface EventInput {
  /** Minted by the caller, so it can publish the event once the batch has committed. */
  id: string;
  organizationId: string | null;
  type: string;
  /** The payload. */
  data: Record<string, unknown>;
  /**
   * Values only known inside the batch (e.g. a number from the counter), set into the payload in
   * SQL at these dotted paths (`invoice.invoice_number`). Never personal data: those are sealed.
   */
  assigned?: Record<string, SQL>;
}

/** An event whose personal data is sealed, ready for `eventEntry` (only `sealedEvent` makes one). */
export interface SealedEvent {
  readonly sealed: true;
  id: string;
  organizationId: string | null;
  type: string;
  data: Record<string, unknown> | SQL;
  data_encrypted: string | null;
}

/** The payload as written: plain JSON, or JSON with the batch-assigned values set in SQL. */
function payloadOf(plain: Record<string, unknown>, assigned: Record<string, SQL> | undefined): Record<string, unknown> | SQL {
  const entries = Object.entries(assigned ?? {});
  if (entries.length === 0) return plain;
  return sql`json_set(${JSON.stringify(plain)}, ${sql.join(
    entries.map(([path, value]) => sql`${`$.${path}`}, ${value}`),
    sql`, `,
  )})`;
}

/**
 * The payload's personal data sealed apart from the rest (services/events/payload.ts), before the
 * batch: sealing is asynchronous, and a batch statement must not be awaited (that would run it).
 */
export async function sealedEvent(ctx: ServiceContext, input: EventInput): Promise<SealedEvent> {
  const stored = await sealEventData(ctx.env.ENCRYPTION_KEY, input.id, input.data);
  return { sealed: true, id: input.id, organizationId: input.organizationId, type: input.type, data: payloadOf(stored.data, input.assigned), data_encrypted: stored.data_encrypted };
}

/**
 * The outbox row of an event, in the same batch as the change it reports; with a guard, it is
 * written exactly when the guarded change is, so each state change yields exactly one event.
 * A payload with personal data must come through `sealedEvent`: given in clear, it is refused.
 */
export function eventEntry(ctx: ServiceContext, input: EventInput | SealedEvent, guard?: SQL) {
  let sealed: SealedEvent;
  if ("sealed" in input) {
    sealed = input;
  } else {
    if (splitPersonalData(input.data).personal !== null) throw new Error(`event ${input.type} carries personal data: seal it with sealedEvent()`);
    sealed = { sealed: true, id: input.id, organizationId: input.organizationId, type: input.type, data: payloadOf(input.data, input.assigned), data_encrypted: null };
  }
  const values = {
    id: sealed.id,
    ...owner(ctx),
    organization_id: sealed.organizationId,
    type: sealed.type,
    data: sealed.data as Record<string, unknown>,
    data_encrypted: sealed.data_encrypted,
    data_expired_at: null,
    created_at: ctx.now,
    enqueued_at: null,
  } satisfies typeof events.$inferInsert;
  return guard || is(sealed.data, SQL) ? insertWhere(ctx.db, events, values, guard ?? sql`1`) : ctx.db.insert(events).values(values);
}

/**
 * Hands committed events to the webhooks queue right away and marks them enqueued; if this
 * fails (or the isolate dies first), the outbox relay cron sends them within a minute or two.
 */
export function publishEvents(ctx: ServiceContext, eventIds: string[]) {
  if (eventIds.length === 0) return;
  ctx.defer(
    publishEventIds({ queue: ctx.env.WEBHOOKS, db: ctx.db }, eventIds, { tenant: ctx.principal, organization: ANY_ORGANIZATION }, new Date().toISOString()).catch((err) =>
      log.warn("event publish deferred to the relay", { request_id: ctx.requestId, event_ids: eventIds, error: err }),
    ),
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

/** A PaymentIntent object's stub, typed through the binding (services do not import the object). */
export type IntentStub = ReturnType<Env["PAYMENT_INTENT"]["getByName"]>;

/** A call to a payment intent's Durable Object, timed as a storage round trip (`do-intent`). */
export async function intentCall<T>(ctx: ServiceContext, intentId: string, method: string, call: (stub: IntentStub) => Promise<T>): Promise<T> {
  await ctx.beforeEffect?.();
  const result = await ctx.timer.measure("do-intent", method, () => call(ctx.env.PAYMENT_INTENT.getByName(intentId)));
  // The object wrote D1 through its own session: the response's X-D1-Bookmark must cover that write.
  ctx.timer.sawBookmark((result as { d1_bookmark?: unknown } | null)?.d1_bookmark);
  return result;
}
