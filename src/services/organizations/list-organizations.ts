import { z } from "@hono/zod-openapi";
import { and, desc } from "drizzle-orm";
import { organizations } from "../../db/schema";
import { PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { OrganizationType } from "./create-organization";
import { presentOrganization } from "./present";
import { equalTo, listPage } from "../pagination";
import { scoped } from "../tenancy";

export const ListOrganizationsInput = PaginationQuery.extend({
  // The same values, without the body field's description and example.
  type: z.enum(OrganizationType.options).optional().openapi({ description: "Only this type." }),
});

export async function listOrganizations({ ctx, input }: { ctx: ServiceContext; input: z.infer<typeof ListOrganizationsInput> }) {
  const where = and(scoped(ctx, organizations), ...equalTo(input, { type: organizations.type }));
  const rows = ctx.db.select().from(organizations).where(where).orderBy(desc(organizations.created_at), desc(organizations.id));
  return listPage(ctx, input, { rows, from: organizations, where }, presentOrganization);
}
