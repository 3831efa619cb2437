import { and, eq } from "drizzle-orm";
import { departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentDepartment } from "./present";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

export function departmentWhere(ctx: ServiceContext, id: string, organizationId: OrganizationScope = ANY_ORGANIZATION) {
  // Department routes are addressed by the department's id: any of the partner's organizations, or
  // the one X-Entity-Id (optional) or the nested route's path names.
  return and(eq(departments.id, id), scoped(ctx, departments, organizationId));
}

export async function findDepartment(ctx: ServiceContext, id: string, organizationId?: OrganizationScope) {
  if (!isId("department", id)) throw new NotFound("department", id, "id");
  const [row] = await ctx.db.select().from(departments).where(departmentWhere(ctx, id, organizationId));
  if (!row) throw new NotFound("department", id, "id");
  return row;
}

/** `organizationId` given: the department must also belong to that organization (nested route). */
export async function getDepartment({ ctx, id, organizationId }: { ctx: ServiceContext; id: string; organizationId?: OrganizationScope }) {
  return presentDepartment(await findDepartment(ctx, id, organizationId));
}
