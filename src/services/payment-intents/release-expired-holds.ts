import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paymentIntents } from "../../db/schema";
import type { IntentResult } from "../../domain/payment-intent-rpc";
import type { Env } from "../../env";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

const PAGE = 50;
const MAX_PAGES = 20;

/**
 * The sandbox clock for card holds: the caller's test-mode holds still uncaptured whose
 * `capture_before` is before `cutoff` are released now (`hold_expired`), each by its own Durable
 * Object (`sweepHold`, which decides again from its own state and refuses live intents). In live
 * mode each object's alarm releases its hold at `capture_before`; no sweep is needed.
 */
export async function releaseExpiredHolds(
  base: { db: Db; env: Env; requestId: string },
  options: { cutoff: Date; tenant: { partnerId: string } },
): Promise<{ holds_released: number }> {
  let released = 0;
  let after = "";
  const cutoff = options.cutoff.toISOString();
  // Test mode only, whatever the caller: the sandbox clock never moves live money.
  const tenant = { partnerId: options.tenant.partnerId, livemode: false };
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await base.db
      .select({ id: paymentIntents.id, capture_before: paymentIntents.capture_before, organizationId: paymentIntents.organization_id })
      .from(paymentIntents)
      .where(
        and(
          scoped(tenant, paymentIntents, ANY_ORGANIZATION),
          eq(paymentIntents.status, "requires_capture"),
          lt(paymentIntents.capture_before, cutoff),
          after ? lt(sql`${after}`, sql`${paymentIntents.capture_before} || ${paymentIntents.id}`) : undefined,
        ),
      )
      .orderBy(asc(paymentIntents.capture_before), asc(paymentIntents.id))
      .limit(PAGE);
    for (const hold of due) {
      const result = (await base.env.PAYMENT_INTENT.getByName(hold.id).sweepHold(hold.id, {
        // The object releases a hold whose capture_before is at or before asOf: just before the cutoff.
        asOf: options.cutoff.getTime() - 1,
        actor: { id: "hold-expiry", type: "system" },
        requestId: base.requestId,
        tenant: { ...tenant, organizationId: hold.organizationId },
      })) as unknown as IntentResult;
      if (result.ok && result.intent.status === "canceled" && result.intent.cancellation_reason === "hold_expired") released++;
    }
    const last = due.at(-1);
    if (!last || due.length < PAGE) break;
    after = `${last.capture_before}${last.id}`;
  }
  return { holds_released: released };
}
