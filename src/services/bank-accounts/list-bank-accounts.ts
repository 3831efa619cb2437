import type { z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns } from "drizzle-orm";
import { bankAccounts, departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { presentBankAccount } from "./present";
import { verificationFields } from "./verification";
import { listPage } from "../pagination";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

export const ListBankAccountsInput = PaginationQuery;

/** Active accounts, default first. One round trip: department check, page and count batched. */
export async function listBankAccounts({
  ctx,
  departmentId,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  departmentId: string;
  organizationId?: OrganizationScope;
  input: z.infer<typeof ListBankAccountsInput>;
}) {
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");
  const where = and(
    eq(bankAccounts.department_id, departmentId),
    scoped(ctx, bankAccounts, ANY_ORGANIZATION),
    eq(bankAccounts.status, "active"),
  );
  const rows = ctx.db
    .select({ ...getTableColumns(bankAccounts), ...verificationFields(ctx) })
    .from(bankAccounts)
    .where(where)
    .orderBy(desc(bankAccounts.is_default), desc(bankAccounts.created_at), desc(bankAccounts.id));
  const parent = {
    query: ctx.db.select({ id: departments.id }).from(departments).where(departmentWhere(ctx, departmentId, organizationId)),
    missing: () => new NotFound("department", departmentId, "id"),
  };
  return listPage(ctx, input, { rows, from: bankAccounts, where, parent }, presentBankAccount);
}
