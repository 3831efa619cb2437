import { and, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { events } from "../db/schema";
import { scoped, type OrganizationScope, type TenantRef } from "../db/tenancy";
import type { Env } from "../env";

/** Cloudflare Queues take at most 100 messages per sendBatch. */
export async function sendInChunks(queue: Env["WEBHOOKS"], bodies: Parameters<Env["WEBHOOKS"]["send"]>[0][]) {
  for (let i = 0; i < bodies.length; i += 100) {
    await queue.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body })));
  }
}

/** The relay's reach: events of every tenant, found by a cron sweep rather than by a request. */
export const EVERY_TENANT = Symbol("every tenant");

export type EventOwner = { tenant: TenantRef | { partner_id: string; livemode: boolean }; organization: OrganizationScope } | typeof EVERY_TENANT;

/**
 * Hands committed events to the webhooks queue and marks them enqueued in the outbox (the events
 * table). The request that wrote them, the payment intent's object after its projection, and the
 * outbox relay cron for whatever those two missed all publish through here; a failure leaves
 * `enqueued_at` null, which is what the relay looks for.
 */
export async function publishEventIds(deps: { queue: Env["WEBHOOKS"]; db: Db }, eventIds: string[], owner: EventOwner, at: string) {
  if (eventIds.length === 0) return;
  await sendInChunks(deps.queue, eventIds.map((id) => ({ event_id: id })));
  const scope = owner === EVERY_TENANT ? undefined : scoped(owner.tenant, events, owner.organization);
  await deps.db.update(events).set({ enqueued_at: at }).where(and(inArray(events.id, eventIds), scope));
}
