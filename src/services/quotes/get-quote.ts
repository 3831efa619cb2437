import { and, eq } from "drizzle-orm";
import { quotes } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentQuote } from "./present";
import { scoped, type OrganizationScope } from "../tenancy";

export function quoteWhere(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  return and(eq(quotes.id, id), scoped(ctx, quotes, organizationId));
}

export async function findQuote(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  if (!isId("quote", id)) throw new NotFound("quote", id, "id");
  const [row] = await ctx.db.select().from(quotes).where(quoteWhere(ctx, organizationId, id));
  if (!row) throw new NotFound("quote", id, "id");
  return row;
}

export async function getQuote({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  return presentQuote(ctx.env.ENCRYPTION_KEY, await findQuote(ctx, organizationId, id));
}
