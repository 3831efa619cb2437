import { z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { organizations, webhookSubscriptions } from "../../db/schema";
import { WEBHOOK_SUBSCRIPTION_STATUSES } from "../../domain/webhook-status";
import { NotFound } from "../../lib/errors";
import { PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentSubscription } from "./present";
import { equalTo, listPage } from "../pagination";
import { scoped } from "../tenancy";

/** A subscription of the caller (partner and mode), not deleted. */
export function subscriptionWhere(ctx: ServiceContext, id: string) {
  return and(
    eq(webhookSubscriptions.id, id),
    scoped(ctx, webhookSubscriptions),
    isNull(webhookSubscriptions.deleted_at),
  );
}

export async function findSubscription(ctx: ServiceContext, id: string) {
  if (!isId("webhook_subscription", id)) throw new NotFound("webhook_subscription", id, "id");
  // A batch of one, not a lone select: on the ping (claimed upfront), the Idempotency-Key's claim
  // rides in front of a batch (db/upfront-claim-d1.ts) but runs alone before a lone statement.
  const [[row]] = await ctx.db.batch([ctx.db.select().from(webhookSubscriptions).where(subscriptionWhere(ctx, id))]);
  if (!row) throw new NotFound("webhook_subscription", id, "id");
  return row;
}

export async function getWebhookSubscription({ ctx, id }: { ctx: ServiceContext; id: string }) {
  return presentSubscription(await findSubscription(ctx, id), ctx.now);
}

export const ListWebhookSubscriptionsInput = PaginationQuery.extend({ status: z.enum(WEBHOOK_SUBSCRIPTION_STATUSES).optional() });

export async function listWebhookSubscriptions({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ListWebhookSubscriptionsInput> }) {
  const where = and(scoped(ctx, webhookSubscriptions), isNull(webhookSubscriptions.deleted_at), ...equalTo(input, { status: webhookSubscriptions.status }));
  const rows = ctx.db.select().from(webhookSubscriptions).where(where).orderBy(desc(webhookSubscriptions.created_at), desc(webhookSubscriptions.id));
  return listPage(ctx, input, { rows, from: webhookSubscriptions, where }, (row) => presentSubscription(row, ctx.now));
}

/** Organizations a subscription is limited to must be the caller's (same partner and mode): 404 otherwise. */
export async function checkOrganizations(ctx: ServiceContext, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  const malformed = unique.find((id) => !isId("organization", id));
  if (malformed) throw new NotFound("organization", malformed, "organization_ids");
  const found = await ctx.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(inArray(organizations.id, unique), scoped(ctx, organizations)));
  const known = new Set(found.map((o) => o.id));
  const missing = unique.find((id) => !known.has(id));
  if (missing) throw new NotFound("organization", missing, "organization_ids");
  return unique;
}
