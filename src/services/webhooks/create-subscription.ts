import { and, eq, isNull, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { webhookSubscriptions } from "../../db/schema";
import { ALL_EVENTS } from "../../domain/events";
import { checkWebhookUrl } from "../../domain/webhook-url";
import { BusinessRule, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { presentSubscription, type SubscriptionRow } from "./present";
import { checkOrganizations } from "./query";
import { newWebhookSecret, sealSecret } from "./secrets";

/** Endpoints per partner and mode (Stripe allows 16): enough for every real integration, bounded fan-out. */
export const MAX_SUBSCRIPTIONS = 20;

export interface SubscriptionInput {
  url: string;
  events: string[];
  description?: string | null | undefined;
  organization_ids?: string[] | null | undefined;
}

/** The URL as it will be called, or 400 naming `url` (malformed, not https, private address). */
export function acceptableUrl(raw: string, livemode: boolean): string {
  const check = checkWebhookUrl(raw, livemode);
  if (!check.ok) throw new ValidationError(`Invalid body 'url': ${check.message}.`, "url", check.code);
  return check.url;
}

/** Duplicates dropped, `*` kept alone (the schema refuses it mixed with types). */
export function normalizeEvents(events: readonly string[]): string[] {
  return events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)];
}

export async function createWebhookSubscription({ ctx, input }: { ctx: ServiceContext; input: SubscriptionInput }) {
  const url = acceptableUrl(input.url, ctx.principal.livemode);
  const organizationIds = input.organization_ids ? await checkOrganizations(ctx, input.organization_ids) : null;
  const id = newId("webhook_subscription");
  const secret = newWebhookSecret();
  const row: SubscriptionRow = {
    id,
    partner_id: ctx.principal.partnerId,
    livemode: ctx.principal.livemode,
    url,
    events: normalizeEvents(input.events),
    organization_ids: organizationIds,
    description: input.description ?? null,
    status: "active",
    disabled_reason: null,
    disabled_at: null,
    failing_since: null,
    secret_encrypted: await sealSecret(ctx.env.ENCRYPTION_KEY, id, secret),
    previous_secret_encrypted: null,
    previous_secret_expires_at: null,
    deleted_at: null,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentSubscription(row, ctx.now);
  // The limit is checked inside the insert, so concurrent creations cannot pass it together.
  const live = sql`(SELECT count(*) FROM ${webhookSubscriptions} WHERE ${and(
    eq(webhookSubscriptions.partner_id, row.partner_id),
    eq(webhookSubscriptions.livemode, row.livemode),
    isNull(webhookSubscriptions.deleted_at),
  )})`;
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, webhookSubscriptions, row, sql`${live} < ${MAX_SUBSCRIPTIONS}`),
    auditEntry(
      ctx,
      { organizationId: null, resourceType: "webhook_subscription", resourceId: id, action: "created", before: null, after: presented },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${webhookSubscriptions.id} = ${id})`,
    ),
  ]);
  if (changes(inserted) === 0) {
    throw new BusinessRule(`At most ${MAX_SUBSCRIPTIONS} webhook subscriptions per partner and mode; delete one first.`, "subscription_limit_reached");
  }
  return { ...presented, secret };
}
