import type { z } from "@hono/zod-openapi";
import { and, asc, isNull } from "drizzle-orm";
import { dunningRules } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { listPage, organizationParent } from "../pagination";
import { presentDunningRule } from "./present";
import { scoped } from "../tenancy";

export const ListDunningRulesInput = PaginationQuery;

/** In the order they apply: by offset from the due date. Deleted rules are not listed. */
export async function listDunningRules({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListDunningRulesInput> }) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  const where = and(scoped(ctx, dunningRules, organizationId), isNull(dunningRules.deleted_at));
  const rows = ctx.db.select().from(dunningRules).where(where).orderBy(asc(dunningRules.offset_days), asc(dunningRules.id));
  return listPage(ctx, input, { rows, from: dunningRules, where, parent: organizationParent(ctx, organizationId, "id") }, presentDunningRule);
}
