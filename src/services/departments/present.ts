import type { departments } from "../../db/schema";

export type DepartmentRow = typeof departments.$inferSelect;

export function presentDepartment(row: DepartmentRow) {
  return {
    id: row.id,
    object: "department" as const,
    livemode: row.livemode,
    organization_id: row.organization_id,
    name: row.name,
    code: row.code,
    description: row.description,
    metadata: row.metadata,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
