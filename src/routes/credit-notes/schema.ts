import { z } from "@hono/zod-openapi";

export { CreditNoteSchema } from "../invoices/schema";

export const CreditNoteIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
});
