import { and, count, desc, eq, getTableColumns } from "drizzle-orm";
import { bankAccounts, departments } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { ServiceContext } from "../context";
import { departmentWhere } from "../departments/get-department";
import { presentBankAccount } from "./present";
import { verificationFields } from "./verification";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

/** Active accounts, default first. One round trip: department check, page and count batched. */
export async function listBankAccounts({
  ctx,
  departmentId,
  input,
}: {
  ctx: ServiceContext;
  departmentId: string;
  input: { page: number; pageSize: number; offset: number };
}) {
  if (!isId("department", departmentId)) throw new NotFound("department", departmentId, "id");
  const where = and(
    eq(bankAccounts.department_id, departmentId),
    scoped(ctx, bankAccounts, ANY_ORGANIZATION),
    eq(bankAccounts.status, "active"),
  );
  const [dept, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: departments.id }).from(departments).where(departmentWhere(ctx, departmentId)),
    ctx.db
      .select({ ...getTableColumns(bankAccounts), ...verificationFields(ctx) })
      .from(bankAccounts)
      .where(where)
      .orderBy(desc(bankAccounts.is_default), desc(bankAccounts.created_at), desc(bankAccounts.id))
      .limit(input.pageSize)
      .offset(input.offset),
    ctx.db.select({ n: count() }).from(bankAccounts).where(where),
  ]);
  if (dept.length === 0) throw new NotFound("department", departmentId, "id");
  return { data: rows.map(presentBankAccount), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}
