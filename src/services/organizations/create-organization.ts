import { organizations } from "../../db/schema";
import { assessOrganizationIdentity } from "../../domain/identity";
import { newId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { presentOrganization, type OrganizationRow } from "./present";
import { owner } from "../tenancy";

export interface OrganizationInput {
  type: OrganizationRow["type"];
  name: string;
  siret: string;
  vat_number?: string | null | undefined;
  address?: OrganizationRow["address"] | undefined;
  contact?: OrganizationRow["contact"] | undefined;
  branding?: OrganizationRow["branding"] | undefined;
  metadata?: Record<string, string> | undefined;
}

export async function createOrganization({ ctx, input }: { ctx: ServiceContext; input: OrganizationInput }) {
  const identity = assessOrganizationIdentity(input, ctx.principal.livemode);
  const row: OrganizationRow = {
    id: newId("organization"),
    ...owner(ctx),
    type: input.type,
    name: input.name,
    ...identity,
    address: input.address ?? null,
    contact: input.contact ?? null,
    branding: input.branding ?? null,
    metadata: input.metadata ?? {},
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const presented = presentOrganization(row);
  await ctx.db.batch([
    ctx.db.insert(organizations).values(row),
    auditEntry(ctx, {
      organizationId: row.id,
      resourceType: "organization",
      resourceId: row.id,
      action: "created",
      before: null,
      after: presented,
    }),
  ]);
  return presented;
}
