import { and, asc, eq, lt, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { paymentIntents, paymentLinks } from "../../db/schema";
import { sql } from "drizzle-orm";
import type { Env } from "../../env";
import { ANY_ORGANIZATION, sameTenant, scoped } from "../tenancy";

const PAGE = 50;
const MAX_PAGES = 20;

/**
 * Expires active links whose `expires_at` is before `cutoff`, through each intent's Durable
 * Object (which refuses while a transfer is processing, and re-checks later). The object's own
 * alarm expires links on time; this is the safety net, and the sandbox sweep's way to jump ahead.
 */
export async function expirePaymentLinks(
  base: { db: Db; env: Env; requestId: string },
  options: { cutoff: Date; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ payment_links_expired: number }> {
  let expired = 0;
  let after = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    // Links whose transfer is processing wait for it to settle (the object re-checks then).
    // tenancy-exempt: from cron the expiry covers every tenant; the sandbox sweep scopes it to its caller.
    const due = await base.db
      .select({ id: paymentLinks.id, intent: paymentLinks.payment_intent_id, expires_at: paymentLinks.expires_at, partnerId: paymentLinks.partner_id, livemode: paymentLinks.livemode, organizationId: paymentLinks.organization_id })
      .from(paymentLinks)
      .innerJoin(paymentIntents, and(eq(paymentIntents.id, paymentLinks.payment_intent_id), sameTenant(paymentIntents, paymentLinks)))
      .where(
        and(
          eq(paymentLinks.status, "active"),
          ne(paymentIntents.status, "processing"),
          lt(paymentLinks.expires_at, options.cutoff.toISOString()),
          after ? lt(sql`${after}`, sql`${paymentLinks.expires_at} || ${paymentLinks.id}`) : undefined,
          options.tenant ? scoped(options.tenant, paymentLinks, ANY_ORGANIZATION) : undefined,
        ),
      )
      .orderBy(asc(paymentLinks.expires_at), asc(paymentLinks.id))
      .limit(PAGE);
    for (const link of due) {
      const result = await base.env.PAYMENT_INTENT.getByName(link.intent).cancel(link.intent, {
        reason: "expired",
        actor: { id: "link-expiry", type: "system" },
        requestId: base.requestId,
        tenant: { partnerId: link.partnerId, livemode: link.livemode, organizationId: link.organizationId },
      });
      if (result.ok && result.intent.status === "canceled") expired++;
    }
    const last = due.at(-1);
    if (!last || due.length < PAGE) break;
    after = `${last.expires_at}${last.id}`;
  }
  return { payment_links_expired: expired };
}
