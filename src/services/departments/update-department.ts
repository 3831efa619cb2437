import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { changes, isUniqueViolation } from "../../db/guarded";
import { departments } from "../../db/schema";
import { Conflict } from "../../lib/errors";
import { auditEntry, diff, type ServiceContext } from "../context";
import { Metadata } from "../../lib/fields";
import { DepartmentCashCeiling, DepartmentCode, DepartmentDescription, DepartmentName, DepartmentOfflineMethods } from "./create-department";
import { departmentWhere, findDepartment } from "./get-department";
import { presentDepartment, type DepartmentRow } from "./present";
import type { OrganizationScope } from "../tenancy";

export const UpdateDepartmentInput = z
  .strictObject({
    name: DepartmentName.optional(),
    code: DepartmentCode.optional(),
    description: DepartmentDescription.nullable().optional(),
    offline_methods: DepartmentOfflineMethods.nullable().optional(),
    cash_ceiling: DepartmentCashCeiling.nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi("DepartmentUpdate", { example: { description: "Eau potable et assainissement" } });

export async function updateDepartment({ ctx, id, organizationId, input }: { ctx: ServiceContext; id: string; organizationId?: OrganizationScope; input: z.infer<typeof UpdateDepartmentInput> }) {
  const before = await findDepartment(ctx, id, organizationId);
  const after: DepartmentRow = {
    ...before,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.code !== undefined ? { code: input.code } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.offline_methods !== undefined ? { offline_methods: input.offline_methods } : {}),
    ...(input.cash_ceiling !== undefined ? { cash_ceiling: input.cash_ceiling } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    updated_at: ctx.now,
  };
  const presentedBefore = presentDepartment(before);
  const presentedAfter = presentDepartment(after);
  const changed = diff(presentedBefore, { ...presentedAfter, updated_at: before.updated_at });
  if (Object.keys(changed.after).length === 0) return presentedBefore;

  const unchangedSince = and(departmentWhere(ctx, id, organizationId), eq(departments.updated_at, before.updated_at));
  try {
    const [, updated] = await ctx.db.batch([
      auditEntry(
        ctx,
        { organizationId: before.organization_id, resourceType: "department", resourceId: id, action: "updated", ...changed },
        sql`EXISTS (SELECT 1 FROM ${departments} WHERE ${unchangedSince})`,
      ),
      ctx.db
        .update(departments)
        .set({
          name: after.name,
          code: after.code,
          description: after.description,
          offline_methods: after.offline_methods,
          cash_ceiling: after.cash_ceiling,
          metadata: after.metadata,
          updated_at: after.updated_at,
        })
        .where(unchangedSince),
    ]);
    if (changes(updated) === 0) throw new Conflict("The department was modified by another request; read it again and retry.", "concurrent_update");
  } catch (err) {
    if (isUniqueViolation(err, "departments")) {
      throw new Conflict(`A department with code '${after.code}' already exists in this organization.`, "department_code_taken", "code");
    }
    throw err;
  }
  return presentedAfter;
}
