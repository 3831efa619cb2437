import { and, asc, eq, lt, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import type { Db } from "../../db/client";
import { quotes } from "../../db/schema";
import type { Env } from "../../env";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, systemContext, type ServiceContext } from "../context";
import { unsealQuotePayer } from "./payer";
import { presentQuoteWith } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

const PAGE = 50;
const MAX_PAGES = 40;
export const QUOTE_EXPIRY_JOB = "quote-expiry-sweep";

/**
 * Marks sent quotes whose `valid_until` (Paris) is before `asOf` as expired. Each quote moves in a
 * statement guarded on the version read, with its audit entry and its `quote.status_changed`
 * under the same guard: an acceptance that lands first wins, and no quote is reported twice.
 * Scoped to one tenant for the sandbox endpoint; all tenants from cron.
 */
export async function sweepExpiredQuotes(
  base: { db: Db; env: Env; requestId: string; defer: ServiceContext["defer"] },
  options: { asOf: string; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ quotes_expired: number }> {
  let expired = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    // tenancy-exempt: from cron the sweep covers every tenant; the sandbox endpoint scopes it to its caller.
    const due = await base.db
      .select()
      .from(quotes)
      .where(and(eq(quotes.status, "sent"), lt(quotes.valid_until, options.asOf), options.tenant ? scoped(options.tenant, quotes, ANY_ORGANIZATION) : undefined))
      .orderBy(asc(quotes.valid_until), asc(quotes.id))
      .limit(PAGE);
    if (due.length === 0) break;

    const eventIds: string[] = [];
    const contexts: ServiceContext[] = [];
    const statements = [];
    for (const row of due) {
      const ctx = systemContext(base, { partnerId: row.partner_id, livemode: row.livemode }, QUOTE_EXPIRY_JOB);
      const payer = await unsealQuotePayer(base.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
      const after = { ...row, status: "expired" as const, expired_at: ctx.now, version: row.version + 1, updated_at: ctx.now };
      const unchanged = and(eq(quotes.id, row.id), scoped(ctx, quotes, row.organization_id), eq(quotes.status, "sent"), eq(quotes.version, row.version));
      const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${unchanged})`;
      const eventId = newId("event");
      eventIds.push(eventId);
      contexts.push(ctx);
      statements.push(
        auditEntry(
          ctx,
          { organizationId: row.organization_id, resourceType: "quote", resourceId: row.id, action: "status_changed", before: { status: "sent" }, after: { status: "expired", as_of: options.asOf } },
          guard,
        ),
        eventEntry(
          ctx,
          await sealedEvent(ctx, {
            id: eventId,
            organizationId: row.organization_id,
            type: "quote.status_changed",
            data: { quote_id: row.id, previous_status: "sent", current_status: "expired", quote: presentQuoteWith(after, payer) },
          }),
          guard,
        ),
        ctx.db.update(quotes).set({ status: "expired", expired_at: ctx.now, version: after.version, updated_at: ctx.now }).where(unchanged),
      );
    }
    const results = await base.db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
    // Quote k's update is statement 3k+2; its event exists only if that update happened.
    const byTenant = new Map<string, { ctx: ServiceContext; ids: string[] }>();
    let written = 0;
    eventIds.forEach((id, k) => {
      if (changes(results[3 * k + 2]) !== 1) return;
      written++;
      const ctx = contexts[k]!;
      const key = `${ctx.principal.partnerId}:${ctx.principal.livemode}`;
      if (!byTenant.has(key)) byTenant.set(key, { ctx, ids: [] });
      byTenant.get(key)!.ids.push(id);
    });
    expired += written;
    // Each tenant's events are published (and marked enqueued) under that tenant.
    for (const { ctx, ids } of byTenant.values()) publishEvents(ctx, ids);
    if (due.length < PAGE || written === 0) break;
  }
  return { quotes_expired: expired };
}
