import { and, eq } from "drizzle-orm";
import { departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentDepartment } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export function departmentWhere(ctx: ServiceContext, id: string, organizationId?: string) {
  // Department routes are addressed by the department's id alone (no X-Entity-Id): any of the partner's organizations.
  return and(eq(departments.id, id), scoped(ctx, departments, organizationId ?? ANY_ORGANIZATION));
}

export async function findDepartment(ctx: ServiceContext, id: string, organizationId?: string) {
  if (!isId("department", id)) throw new NotFound("department", id, "id");
  const [row] = await ctx.db.select().from(departments).where(departmentWhere(ctx, id, organizationId));
  if (!row) throw new NotFound("department", id, "id");
  return row;
}

/** `organizationId` given: the department must also belong to that organization (nested route). */
export async function getDepartment({ ctx, id, organizationId }: { ctx: ServiceContext; id: string; organizationId?: string }) {
  return presentDepartment(await findDepartment(ctx, id, organizationId));
}
