import { changes, insertWhere, isUniqueViolation } from "../../db/guarded";
import { departments } from "../../db/schema";
import { Conflict, NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { owner, ownsOrganization } from "../tenancy";
import { presentDepartment, type DepartmentRow } from "./present";

export interface DepartmentInput {
  name: string;
  code: string;
  description?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
}

/** One batch: the insert and its audit entry happen only if the organization is the caller's. */
export async function createDepartment({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: DepartmentInput }) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  const row: DepartmentRow = {
    id: newId("department"),
    ...owner(ctx),
    organization_id: organizationId,
    name: input.name,
    code: input.code,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentDepartment(row);
  const guard = ownsOrganization(ctx, organizationId);
  try {
    const [inserted] = await ctx.db.batch([
      insertWhere(ctx.db, departments, row, guard),
      auditEntry(
        ctx,
        { organizationId, resourceType: "department", resourceId: row.id, action: "created", before: null, after: presented },
        guard,
      ),
    ]);
    if (changes(inserted) === 0) throw new NotFound("organization", organizationId, "id");
  } catch (err) {
    if (isUniqueViolation(err, "departments")) {
      throw new Conflict(`A department with code '${input.code}' already exists in this organization.`, "department_code_taken", "code");
    }
    throw err;
  }
  return presented;
}
