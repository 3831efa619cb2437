import { z } from "@hono/zod-openapi";
import { changes, insertWhere, isUniqueViolation } from "../../db/guarded";
import { departments } from "../../db/schema";
import { Conflict, NotFound } from "../../lib/errors";
import { OFFLINE_PAYMENT_METHODS } from "../../domain/payment";
import { Cents, Metadata } from "../../lib/fields";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { auditEntry, type ServiceContext } from "../context";
import { owner, ownsOrganization } from "../tenancy";
import { presentDepartment, type DepartmentRow } from "./present";

export const DepartmentName = Text({ min: 1, max: 200 }).openapi({ example: "Régie de l'Eau" });
export const DepartmentCode = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only")
  .openapi({ description: "Your code for it, unique within the organization.", example: "REG-EAU-001" });
export const DepartmentDescription = Text({ max: 1000, multiline: true }).openapi({ description: "Free text; may span several lines.", example: "Gestion des factures d'eau potable" });

/** A régie's founding order names the means of payment it may take at the counter, and its cash ceiling. */
export const DepartmentOfflineMethods = z
  .array(z.enum(OFFLINE_PAYMENT_METHODS))
  .max(OFFLINE_PAYMENT_METHODS.length)
  .refine((m) => new Set(m).size === m.length, "each method at most once")
  .openapi({
    description: "Payments it may record at the counter (POST /v1/invoices/{id}/payments): any of `cash`, `cheque`, `bank_transfer`, `other`; `[]` none; null (default) any.",
    example: ["cash", "cheque"],
  });
export const DepartmentCashCeiling = Cents({ min: 0, max: 100_000_000 }).openapi({ description: "Largest cash payment it may record, in cents; null (default) no ceiling.", example: 30000 });

export const CreateDepartmentInput = z
  .strictObject({
    name: DepartmentName,
    code: DepartmentCode,
    description: DepartmentDescription.nullable().optional(),
    offline_methods: DepartmentOfflineMethods.nullable().optional(),
    cash_ceiling: DepartmentCashCeiling.nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi("DepartmentCreate", {
    example: { name: "Régie de l'Eau", code: "REG-EAU-001", description: "Gestion des factures d'eau potable" },
  });

/** One batch: the insert and its audit entry happen only if the organization is the caller's. */
export async function createDepartment({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof CreateDepartmentInput> }) {
  if (!isId("organization", organizationId)) throw new NotFound("organization", organizationId, "id");
  const row: DepartmentRow = {
    id: newId("department"),
    ...owner(ctx),
    organization_id: organizationId,
    name: input.name,
    code: input.code,
    description: input.description ?? null,
    offline_methods: input.offline_methods ?? null,
    cash_ceiling: input.cash_ceiling ?? null,
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
