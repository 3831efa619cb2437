import { and, eq } from "drizzle-orm";
import { organizations } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import type { ServiceContext } from "../context";
import { presentOrganization } from "./present";
import { scoped } from "../tenancy";

export function organizationWhere(ctx: ServiceContext, id: string) {
  return and(eq(organizations.id, id), scoped(ctx, organizations));
}

export async function findOrganization(ctx: ServiceContext, id: string) {
  const [row] = await ctx.db.select().from(organizations).where(organizationWhere(ctx, id));
  if (!row) throw new NotFound("organization", id, "id");
  return row;
}

export async function getOrganization({ ctx, id }: { ctx: ServiceContext; id: string }) {
  return presentOrganization(await findOrganization(ctx, id));
}
