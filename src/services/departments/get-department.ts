import { and, eq } from "drizzle-orm";
import { departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentDepartment } from "./present";

export function departmentWhere(ctx: ServiceContext, id: string, organizationId?: string) {
  return and(
    eq(departments.id, id),
    eq(departments.partner_id, ctx.principal.partnerId),
    eq(departments.livemode, ctx.principal.livemode),
    organizationId ? eq(departments.organization_id, organizationId) : undefined,
  );
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
