import { and, count, desc, eq } from "drizzle-orm";
import { organizations } from "../../db/schema";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { presentOrganization, type OrganizationRow } from "./present";
import { scoped } from "../tenancy";

export async function listOrganizations({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { page: number; pageSize: number; offset: number; type?: OrganizationRow["type"] | undefined };
}) {
  const where = and(
    scoped(ctx, organizations),
    input.type ? eq(organizations.type, input.type) : undefined,
  );
  const [rows, [total]] = await ctx.db.batch([
    ctx.db
      .select()
      .from(organizations)
      .where(where)
      .orderBy(desc(organizations.created_at), desc(organizations.id))
      .limit(input.pageSize)
      .offset(input.offset),
    ctx.db.select({ n: count() }).from(organizations).where(where),
  ]);
  return { data: rows.map(presentOrganization), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}
