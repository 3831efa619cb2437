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
    offline_methods: row.offline_methods,
    cash_ceiling: row.cash_ceiling,
    metadata: row.metadata,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
