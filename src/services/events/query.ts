import { z } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { events, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from "../../db/schema";
import { EVENT_TYPES, eventPayloadScope } from "../../domain/events";
import { grants } from "../../domain/scopes";
import { EVENT_DELIVERY_STATUSES } from "../../domain/webhook-status";
import { DateBound, PaginationQuery } from "../../lib/fields";
import { Forbidden, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { openEventData } from "./payload";
import { deliveryStatusSql, presentDelivery, presentEvent } from "./present";
import { equalTo, listPage, pageOf, pagination, within } from "../pagination";
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

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi({ example: "payment_intent.status_changed" });

export const DeliveryStatusSchema = z.enum(EVENT_DELIVERY_STATUSES).openapi({
  description: "`failed`: a delivery failed (redeliver it); `pending`: a delivery is still trying, or the event is not dispatched yet; `succeeded`: every delivery succeeded; `none`: no subscription wanted it.",
  example: "failed",
});

export const ListEventsInput = PaginationQuery.extend({
  type: EventTypeSchema.optional(),
  organization_id: z.string().max(100).optional().openapi({ example: "org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
  delivery_status: DeliveryStatusSchema.optional(),
});

/** Every event of the partner in this mode (all organizations), newest first. */
export async function listEvents({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ListEventsInput> }) {
  const where = and(
    scoped(ctx, events, ANY_ORGANIZATION),
    ...equalTo(input, { type: events.type, organization_id: events.organization_id }),
    within(events.created_at, input.created_from, input.created_to),
    input.delivery_status ? sql`${deliveryStatusSql} = ${input.delivery_status}` : undefined,
  );
  const rows = ctx.db.select(eventColumns).from(events).where(where).orderBy(desc(events.created_at), desc(events.id));
  return listPage(ctx, input, { rows, from: events, where }, (row) => presentForCaller(ctx, row));
}

/** The deliveries of an event (one per subscription), oldest first, each with every attempt. */
export const ListEventDeliveriesInput = PaginationQuery;

export async function listEventDeliveries({ ctx, id, input }: { ctx: ServiceContext; id: string; input: z.infer<typeof ListEventDeliveriesInput> }) {
  if (!isId("event", id)) throw new NotFound("event", id, "id");
  const { page: number, pageSize, offset } = pageOf(input);
  const where = and(eq(webhookDeliveries.event_id, id), scoped(ctx, webhookDeliveries));
  const page = ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(where)
    .orderBy(asc(webhookDeliveries.created_at), asc(webhookDeliveries.id))
    .limit(pageSize)
    .offset(offset);
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
  return { data: rows.map((r) => presentDelivery(r, attempts)), pagination: pagination(number, pageSize, total?.n ?? 0) };
}
