import { and, eq } from "drizzle-orm";
import { paymentIntents } from "../../db/schema";
import type { Tenant } from "../../domain/payment-intent-rpc";
import { NotFound } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

/**
 * The tenant a partner's call on a payment intent's object names. The object checks it itself
 * (partner, mode and organization), so with `X-Entity-Id` no D1 read comes first. Without it the
 * organization is the intent's own, read from its D1 row while the partner gate answers (as a
 * link's revocation reads the link): the gate then overlaps it, and the request keeps its count
 * of sequential round trips.
 */
export async function intentTenant(ctx: ServiceContext, scope: OrganizationScope, id: string): Promise<Tenant> {
  const { partnerId, livemode } = ctx.principal;
  if (scope !== ANY_ORGANIZATION) return { partnerId, livemode, organizationId: scope };
  const [row] = await ctx.db
    .select({ organizationId: paymentIntents.organization_id })
    .from(paymentIntents)
    .where(and(eq(paymentIntents.id, id), scoped(ctx, paymentIntents, ANY_ORGANIZATION)));
  if (!row) throw new NotFound("payment_intent", id, "id");
  return { partnerId, livemode, organizationId: row.organizationId };
}
