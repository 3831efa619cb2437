import { sql } from "drizzle-orm";
import { departments, organizations } from "../db/schema";
import type { ServiceContext } from "./context";

/** SQL guard: the organization exists for the caller (same partner, same mode). */
export function ownsOrganization(ctx: ServiceContext, organizationId: string) {
  return sql`EXISTS (SELECT 1 FROM ${organizations} WHERE ${organizations.id} = ${organizationId} AND ${organizations.partner_id} = ${ctx.principal.partnerId} AND ${organizations.livemode} = ${ctx.principal.livemode ? 1 : 0})`;
}

/** SQL guard: the department exists for the caller. */
export function ownsDepartment(ctx: ServiceContext, departmentId: string) {
  return sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${departments.id} = ${departmentId} AND ${departments.partner_id} = ${ctx.principal.partnerId} AND ${departments.livemode} = ${ctx.principal.livemode ? 1 : 0})`;
}
