import { z } from "@hono/zod-openapi";
import { Metadata, Timestamp } from "../../lib/openapi";
import { Text } from "../../lib/text";

export const DepartmentIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});

const Name = Text({ min: 1, max: 200 }).openapi({ example: "Régie de l'Eau" });
const Code = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only")
  .openapi({ description: "Your code for it, unique within the organization.", example: "REG-EAU-001" });
const Description = Text({ max: 1000, multiline: true }).openapi({ description: "Free text; may span several lines.", example: "Gestion des factures d'eau potable" });

export const DepartmentCreate = z
  .strictObject({ name: Name, code: Code, description: Description.nullable().optional(), metadata: Metadata.optional() })
  .openapi("DepartmentCreate", {
    example: { name: "Régie de l'Eau", code: "REG-EAU-001", description: "Gestion des factures d'eau potable" },
  });

export const DepartmentUpdate = z
  .strictObject({ name: Name.optional(), code: Code.optional(), description: Description.nullable().optional(), metadata: Metadata.optional() })
  .openapi("DepartmentUpdate", { example: { description: "Eau potable et assainissement" } });

export const DepartmentSchema = z
  .object({
    id: z.string().openapi({ example: "dept-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    object: z.literal("department"),
    livemode: z.boolean(),
    organization_id: z.string(),
    name: Name,
    code: z.string().openapi({ example: "REG-EAU-001" }),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Department");
