import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paymentIntents } from "../../db/schema";
import { UNSETTLED_INTENT_STATUSES } from "../../domain/payment-intent";
import type { Env } from "../../env";

const STALE_AFTER_MS = 2 * 60_000;
const PAGE = 50;

/**
 * The cron half of "retried by alarm until it lands and reconciled by cron": intents whose D1
 * projection has not moved for a while in a non-final state are asked to drain their outbox.
 * Their object answers from its own state, so a projection lost for any reason catches up here.
 * Many intents legitimately rest in these states (a payer who left, a transfer settling over
 * days), so each run samples at random among them rather than always taking the same first page.
 */
export async function reconcilePaymentIntents(base: { db: Db; env: Env }, now: Date) {
  const staleBefore = new Date(now.getTime() - STALE_AFTER_MS).toISOString();
  // tenancy-exempt: the reconciliation cron samples every tenant's stale intents; each object then acts on its own row.
  const stale = await base.db
    .select({ id: paymentIntents.id, partnerId: paymentIntents.partner_id, livemode: paymentIntents.livemode, organizationId: paymentIntents.organization_id })
    .from(paymentIntents)
    .where(
      or(
        and(inArray(paymentIntents.status, UNSETTLED_INTENT_STATUSES), lt(paymentIntents.updated_at, staleBefore)),
        // A card hold rests in requires_capture until capture_before; still there after it, its release was not projected.
        and(eq(paymentIntents.status, "requires_capture"), lt(paymentIntents.capture_before, staleBefore)),
      ),
    )
    .orderBy(sql`random()`)
    .limit(PAGE);
  await Promise.all(stale.map((i) => base.env.PAYMENT_INTENT.getByName(i.id).reconcile(i.id, { partnerId: i.partnerId, livemode: i.livemode, organizationId: i.organizationId })));
  return { reconciled: stale.length };
}
