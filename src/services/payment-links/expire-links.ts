import { and, asc, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paymentLinks } from "../../db/schema";
import type { Env } from "../../env";

const PAGE = 50;

/**
 * Expires active links whose `expires_at` is before `cutoff`, through each intent's Durable
 * Object (which refuses while a transfer is processing, and re-checks later). The object's own
 * alarm expires links on time; this is the safety net, and the sandbox sweep's way to jump ahead.
 */
export async function expirePaymentLinks(
  base: { db: Db; env: Env; requestId: string },
  options: { cutoff: Date; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ payment_links_expired: number }> {
  const due = await base.db
    .select({ id: paymentLinks.id, intent: paymentLinks.payment_intent_id })
    .from(paymentLinks)
    .where(
      and(
        eq(paymentLinks.status, "active"),
        lt(paymentLinks.expires_at, options.cutoff.toISOString()),
        options.tenant ? eq(paymentLinks.partner_id, options.tenant.partnerId) : undefined,
        options.tenant ? eq(paymentLinks.livemode, options.tenant.livemode) : undefined,
      ),
    )
    .orderBy(asc(paymentLinks.expires_at))
    .limit(PAGE);
  let expired = 0;
  for (const link of due) {
    const result = await base.env.PAYMENT_INTENT.getByName(link.intent).cancel(link.intent, {
      reason: "expired",
      actor: { id: "link-expiry", type: "system" },
      requestId: base.requestId,
    });
    if (result.ok && result.intent.status === "canceled") expired++;
  }
  return { payment_links_expired: expired };
}
