import { z } from "@hono/zod-openapi";
import { and, isNull, sql } from "drizzle-orm";
import { changes, insertWhere } from "../../db/guarded";
import { webhookSubscriptions } from "../../db/schema";
import { ALL_EVENTS, EVENT_TYPES, eventPayloadScope } from "../../domain/events";
import { grants } from "../../domain/scopes";
import { checkWebhookUrl, webhookUrlRules } from "../../domain/webhook-url";
import { BusinessRule, Forbidden, ValidationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, type ServiceContext } from "../context";
import { presentSubscription, type SubscriptionRow } from "./present";
import { checkOrganizations } from "./query";
import { newWebhookSecret, sealSecret } from "./secrets";
import { owner, scoped } from "../tenancy";

/** Endpoints per partner and mode (Stripe allows 16): enough for every real integration, bounded fan-out. */
export const MAX_SUBSCRIPTIONS = 20;

const EventTypeOrAll = z.enum([...EVENT_TYPES, ALL_EVENTS]).openapi({
  description: "An event type, or `*` alone for every type (including types added later).",
  example: "payment_intent.status_changed",
});

export const SubscribedEvents = z
  .array(EventTypeOrAll)
  .min(1, 'must name at least one event type (or "*" for all)')
  .max(EVENT_TYPES.length + 1)
  .refine((events) => !events.includes(ALL_EVENTS) || events.length === 1, '"*" (every event type) cannot be combined with other types')
  .openapi({ example: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"] });

export const SubscriptionUrl = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .openapi({
    description:
      "Where events are POSTed, checked again before every attempt. Live mode: https:// on the default port 443, to a public host only (no private, loopback or link-local address). Test mode: https:// to a public host on any port; a worker running in local development (`wrangler dev`) also accepts http://localhost and http://127.0.0.1, a deployed one never. Never this platform's own host.",
    example: "https://votreapp.fr/webhooks/payment-api",
  });

export const SubscriptionOrganizationIds = z
  .array(z.string().max(100))
  .min(1)
  .max(100)
  .nullable()
  .openapi({
    description: "Only events of these organizations (`org-…`); null or absent: every organization of the partner.",
    example: ["org-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"],
  });

export const SubscriptionDescription = Text({ max: 500 }).nullable().openapi({ example: "Production webhook" });

export const CreateWebhookSubscriptionInput = z
  .strictObject({
    url: SubscriptionUrl,
    events: SubscribedEvents,
    description: SubscriptionDescription.optional(),
    organization_ids: SubscriptionOrganizationIds.optional(),
  })
  .openapi("WebhookSubscriptionCreate", {
    example: {
      url: "https://votreapp.fr/webhooks/payment-api",
      events: ["invoice.status_changed", "payment_intent.status_changed", "refund.created"],
      description: "Production webhook",
    },
  });

/** The URL as it will be called, or 400 naming `url` (malformed, not https, private address, other port in live mode, the platform itself). */
export function acceptableUrl(ctx: ServiceContext, raw: string): string {
  const check = checkWebhookUrl(raw, webhookUrlRules(ctx.env, ctx.principal.livemode));
  if (!check.ok) throw new ValidationError(`Invalid body 'url': ${check.message}.`, "url", check.code);
  return check.url;
}

/** Duplicates dropped, `*` kept alone (the schema refuses it mixed with types). */
export function normalizeEvents(events: readonly string[]): string[] {
  return events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)];
}

/**
 * A subscription delivers copies of the objects its events carry to a URL the caller chooses, so
 * choosing the URL or the events needs the read scope of each of those objects (`*`: all of
 * them), as reading the events through the API does: `webhooks:write` alone cannot send itself
 * invoices' payers or payment-page URLs.
 */
export function requirePayloadScopes(ctx: ServiceContext, events: readonly string[]): void {
  const types = events.includes(ALL_EVENTS) ? EVENT_TYPES : events;
  for (const type of types) {
    const scope = eventPayloadScope(type);
    if (!grants(ctx.principal.scopes, scope)) {
      throw new Forbidden(`Receiving '${type}' events needs the '${scope}' scope (they carry a copy of the object); the credential has: ${ctx.principal.scopes.join(" ") || "none"}.`);
    }
  }
}

export async function createWebhookSubscription({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof CreateWebhookSubscriptionInput> }) {
  requirePayloadScopes(ctx, input.events);
  const url = acceptableUrl(ctx, input.url);
  const organizationIds = input.organization_ids ? await checkOrganizations(ctx, input.organization_ids) : null;
  const id = newId("webhook_subscription");
  const secret = newWebhookSecret();
  const row: SubscriptionRow = {
    id,
    ...owner(ctx),
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
  const live = sql`(SELECT count(*) FROM ${webhookSubscriptions} WHERE ${and(scoped(ctx, webhookSubscriptions), isNull(webhookSubscriptions.deleted_at))})`;
  const [inserted] = await ctx.db.batch([
    insertWhere(ctx.db, webhookSubscriptions, row, sql`${live} < ${MAX_SUBSCRIPTIONS}`),
    auditEntry(
      ctx,
      { organizationId: null, resourceType: "webhook_subscription", resourceId: id, action: "created", before: null, after: presented },
      sql`EXISTS (SELECT 1 FROM ${webhookSubscriptions} WHERE ${webhookSubscriptions.id} = ${id} AND ${scoped(ctx, webhookSubscriptions)})`,
    ),
  ]);
  if (changes(inserted) === 0) {
    throw new BusinessRule(`At most ${MAX_SUBSCRIPTIONS} webhook subscriptions per partner and mode; delete one first.`, "subscription_limit_reached");
  }
  return { ...presented, secret };
}
