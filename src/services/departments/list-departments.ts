import { count, desc } from "drizzle-orm";
import { departments, organizations } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { presentDepartment } from "./present";
import { scoped } from "../tenancy";

/** One round trip: the organization check, the page and the count in one batch. */
export async function listDepartments({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: { page: number; pageSize: number; offset: number };
}) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  const where = scoped(ctx, departments, organizationId);
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(departments).where(where).orderBy(desc(departments.created_at), desc(departments.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(departments).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "id");
  return { data: rows.map(presentDepartment), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}
