import type { Tenant } from "../../domain/payment-intent-rpc";
import type { ServiceContext } from "../context";
import { ANY_ORGANIZATION, type OrganizationScope } from "../tenancy";

/**
 * The tenant a partner's call on a payment intent's object names. The object checks it itself
 * (partner, mode, and the organization when X-Entity-Id named one: `belongsTo`), so no D1 read
 * comes first, with or without the header.
 */
export function intentTenant(ctx: ServiceContext, scope: OrganizationScope): Tenant {
  const { partnerId, livemode } = ctx.principal;
  return { partnerId, livemode, organizationId: scope === ANY_ORGANIZATION ? null : scope };
}
