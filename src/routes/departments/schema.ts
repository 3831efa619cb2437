import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../lib/fields";
import { DepartmentCashCeiling, DepartmentName, DepartmentOfflineMethods } from "../../services/departments/create-department";

export const DepartmentIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

export const DepartmentSchema = z
  .object({
    id: z.string().openapi({ example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("department"),
    livemode: z.boolean(),
    organization_id: z.string(),
    name: DepartmentName,
    code: z.string().openapi({ example: "REG-EAU-001" }),
    description: z.string().nullable(),
    offline_methods: DepartmentOfflineMethods.nullable(),
    cash_ceiling: DepartmentCashCeiling.nullable(),
    metadata: z.record(z.string(), z.string()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Department");
