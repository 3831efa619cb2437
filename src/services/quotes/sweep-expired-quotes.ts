import { and, asc, eq, lt, sql } from "drizzle-orm";
import { quotes } from "../../db/schema";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, sealedEvent } from "../context";
import { sweepStatuses, type SweepBase } from "../sweeps";
import { unsealQuotePayer } from "./payer";
import { presentQuoteWith } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export const QUOTE_EXPIRY_JOB = "quote-expiry-sweep";

/**
 * Marks sent quotes whose `valid_until` (Paris) is before `asOf` as expired. Each quote moves in a
 * statement guarded on the version read, with its audit entry and its `quote.status_changed`
 * under the same guard: an acceptance that lands first wins, and no quote is reported twice.
 * Scoped to one tenant for the sandbox endpoint; all tenants from cron.
 */
export async function sweepExpiredQuotes(
  base: SweepBase,
  options: { asOf: string; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ quotes_expired: number }> {
  const expired = await sweepStatuses(
    base,
    QUOTE_EXPIRY_JOB,
    (limit) =>
      // tenancy-exempt: from cron the sweep covers every tenant; the sandbox endpoint scopes it to its caller.
      base.db
        .select()
        .from(quotes)
        .where(and(eq(quotes.status, "sent"), lt(quotes.valid_until, options.asOf), options.tenant ? scoped(options.tenant, quotes, ANY_ORGANIZATION) : undefined))
        .orderBy(asc(quotes.valid_until), asc(quotes.id))
        .limit(limit),
    async (ctx, row) => {
      const payer = await unsealQuotePayer(base.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
      const after = { ...row, status: "expired" as const, expired_at: ctx.now, version: row.version + 1, updated_at: ctx.now };
      const unchanged = and(eq(quotes.id, row.id), scoped(ctx, quotes, row.organization_id), eq(quotes.status, "sent"), eq(quotes.version, row.version));
      const guard = sql`EXISTS (SELECT 1 FROM ${quotes} WHERE ${unchanged})`;
      const eventId = newId("event");
      return {
        eventId,
        statements: [
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
        ],
      };
    },
  );
  return { quotes_expired: expired };
}
