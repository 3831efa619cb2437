import { and, asc, count, desc, eq, getTableColumns, gte, inArray, lt, sql } from "drizzle-orm";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from "../../db/schema";
import { eventPayloadScope } from "../../domain/events";
import { grants } from "../../domain/scopes";
import { Forbidden, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { openEventData } from "./payload";
import { deliveryStatusSql, presentDelivery, presentEvent, type EventDeliveryStatus } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export function eventWhere(ctx: ServiceContext, id: string) {
  // Events are partner-level (DESIGN.md §Webhooks): any organization of the caller.
  return and(eq(events.id, id), scoped(ctx, events, ANY_ORGANIZATION));
}

const eventColumns = { ...getTableColumns(events), delivery_status: deliveryStatusSql };

type EventRow = Parameters<typeof openEventData>[1] & Omit<Parameters<typeof presentEvent>[0], "data">;

/**
 * An event as this caller may see it. The payload is a copy of the object the event is about,
 * so it needs that object's read scope (`eventPayloadScope`); without it the event is shown
 * without its payload (`data_redacted`), never unsealed.
 */
async function presentForCaller(ctx: ServiceContext, row: EventRow) {
  const scope = eventPayloadScope(row.type);
  if (!grants(ctx.principal.scopes, scope)) return { ...presentEvent({ ...row, data: null }), data_scope: scope, data_redacted: true };
  return { ...presentEvent({ ...row, data: await openEventData(ctx.env.ENCRYPTION_KEY, row) }), data_scope: scope, data_redacted: false };
}

export async function getEvent({ ctx, id }: { ctx: ServiceContext; id: string }) {
  if (!isId("event", id)) throw new NotFound("event", id, "id");
  const [row] = await ctx.db.select(eventColumns).from(events).where(eventWhere(ctx, id));
  if (!row) throw new NotFound("event", id, "id");
  const scope = eventPayloadScope(row.type);
  if (!grants(ctx.principal.scopes, scope)) {
    throw new Forbidden(`This event carries a ${row.type.split(".")[0]}: reading it needs the '${scope}' scope; the credential has: ${ctx.principal.scopes.join(" ") || "none"}.`);
  }
  return presentForCaller(ctx, row);
}

export interface EventFilters {
  type?: string | undefined;
  organization_id?: string | undefined;
  /** Inclusive lower bound, ISO instant. */
  created_from?: string | undefined;
  /** Exclusive upper bound, ISO instant. */
  created_to?: string | undefined;
  delivery_status?: EventDeliveryStatus | undefined;
}

/** Every event of the partner in this mode (all organizations), newest first. */
export async function listEvents({ ctx, input }: { ctx: ServiceContext; input: EventFilters & { page: number; pageSize: number; offset: number } }) {
  const where = and(
    scoped(ctx, events, ANY_ORGANIZATION),
    input.type ? eq(events.type, input.type) : undefined,
    input.organization_id ? eq(events.organization_id, input.organization_id) : undefined,
    input.created_from ? gte(events.created_at, input.created_from) : undefined,
    input.created_to ? lt(events.created_at, input.created_to) : undefined,
    input.delivery_status ? sql`${deliveryStatusSql} = ${input.delivery_status}` : undefined,
  );
  const [rows, [total]] = await ctx.db.batch([
    ctx.db.select(eventColumns).from(events).where(where).orderBy(desc(events.created_at), desc(events.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(events).where(where),
  ]);
  const data = await Promise.all(rows.map((row) => presentForCaller(ctx, row)));
  return { data, pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}

/** The deliveries of an event (one per subscription), oldest first, each with every attempt. */
export async function listEventDeliveries({ ctx, id, input }: { ctx: ServiceContext; id: string; input: { page: number; pageSize: number; offset: number } }) {
  if (!isId("event", id)) throw new NotFound("event", id, "id");
  const where = and(eq(webhookDeliveries.event_id, id), scoped(ctx, webhookDeliveries));
  const page = ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(where)
    .orderBy(asc(webhookDeliveries.created_at), asc(webhookDeliveries.id))
    .limit(input.pageSize)
    .offset(input.offset);
  const [event, rows, attempts, [total]] = await ctx.db.batch([
    ctx.db.select({ id: events.id }).from(events).where(eventWhere(ctx, id)),
    ctx.db
      .select({ ...getTableColumns(webhookDeliveries), url: webhookSubscriptions.url })
      .from(webhookDeliveries)
      .innerJoin(webhookSubscriptions, and(eq(webhookSubscriptions.id, webhookDeliveries.subscription_id), scoped(ctx, webhookSubscriptions)))
      .where(and(inArray(webhookDeliveries.id, page), scoped(ctx, webhookDeliveries)))
      .orderBy(asc(webhookDeliveries.created_at), asc(webhookDeliveries.id)),
    ctx.db
      .select()
      .from(webhookDeliveryAttempts)
      .where(inArray(webhookDeliveryAttempts.delivery_id, page))
      .orderBy(asc(webhookDeliveryAttempts.at), asc(webhookDeliveryAttempts.run), asc(webhookDeliveryAttempts.attempt)),
    ctx.db.select({ n: count() }).from(webhookDeliveries).where(where),
  ]);
  if (event.length === 0) throw new NotFound("event", id, "id");
  return { data: rows.map((r) => presentDelivery(r, attempts)), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}
