import type { z } from "@hono/zod-openapi";
import { desc } from "drizzle-orm";
import { departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { listPage, organizationParent } from "../pagination";
import { presentDepartment } from "./present";
import { scoped } from "../tenancy";

export const ListDepartmentsInput = PaginationQuery;

/** One round trip: the organization check, the page and the count in one batch. */
export async function listDepartments({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: z.infer<typeof ListDepartmentsInput>;
}) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  const where = scoped(ctx, departments, organizationId);
  const rows = ctx.db.select().from(departments).where(where).orderBy(desc(departments.created_at), desc(departments.id));
  return listPage(ctx, input, { rows, from: departments, where, parent: organizationParent(ctx, organizationId, "id") }, presentDepartment);
}
