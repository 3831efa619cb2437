import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { auditRow } from "../../db/audit";
import type { Db } from "../../db/client";
import { auditLogs, credentials, partners } from "../../db/schema";
import { DEFAULT_PLAN } from "../../domain/plans";
import { SCOPES } from "../../domain/scopes";
import type { Env } from "../../env";
import { NotFound } from "../../lib/errors";
import { isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import { mintCredential, presentCredential, type IssuedCredential } from "./credentials";
import { owner } from "../tenancy";
import type { ServiceContext } from "../context";
import { StorageTimer } from "../../lib/timing";

/** The platform operator, acting through the admin API. */
export interface OperatorContext {
  db: Db;
  env: Env;
  requestId: string;
  ip: string | null;
  now: string;
}

/**
 * The operator acting on one tenant's rows (a KYC decision): a service context whose principal is
 * that tenant, so scoped()/owner() and the audit/event helpers work as for the partner, while the
 * audit trail names the operator (user_type operator).
 */
export function operatorServiceContext(ctx: OperatorContext, tenant: { partner_id: string; livemode: boolean }, defer: ServiceContext["defer"]): ServiceContext {
  return {
    db: ctx.db,
    env: ctx.env,
    principal: {
      partnerId: tenant.partner_id,
      credentialId: "operator",
      mode: tenant.livemode ? "live" : "test",
      livemode: tenant.livemode,
      plan: "enterprise",
      scopes: [],
      via: "api_key",
    },
    requestId: ctx.requestId,
    ip: ctx.ip,
    now: ctx.now,
    actor: { id: "operator", type: "operator" },
    defer,
    timer: new StorageTimer(),
    idempotencyKey: null,
  };
}

export const PlanSchema = z.enum(["standard", "business", "enterprise"]).openapi({
  description: "Rate-limit tier: standard 100/min, business 1 000/min (default), enterprise unlimited.",
  example: "business",
});

export const ScopeSchema = z.enum(SCOPES);

export const CreatePartnerInput = z
  .object({
    name: Text({ min: 1, max: 200 }).openapi({ example: "Acme Intégrations" }),
    plan: PlanSchema.optional(),
  })
  .openapi("PartnerCreate", { example: { name: "Acme Intégrations", plan: "business" } });

export const UpdatePartnerInput = z
  .object({
    name: Text({ min: 1, max: 200 }).optional(),
    plan: PlanSchema.optional(),
  })
  .openapi("PartnerUpdate", { example: { plan: "enterprise" } });

export const IssueCredentialInput = z
  .object({
    mode: z.enum(["test", "live"]).openapi({ example: "live" }),
    scopes: z
      .array(ScopeSchema)
      .min(1)
      .optional()
      .openapi({ description: "Restrict the credential (default `partner`, i.e. everything).", example: ["invoices:read", "payments:read"] }),
  })
  .openapi("CredentialCreate", { example: { mode: "live" } });

function operatorAudit(
  ctx: OperatorContext,
  partnerId: string,
  livemode: boolean,
  resourceType: string,
  resourceId: string,
  action: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
) {
  return ctx.db.insert(auditLogs).values(
    auditRow(
      { actor: { id: "operator", type: "operator" }, ip: ctx.ip, requestId: ctx.requestId, at: ctx.now },
      {
        id: newId("audit_log"),
        // The operator acts on this partner's rows: the entry is theirs to read.
        owner: owner({ partnerId, livemode }),
        organizationId: null,
        resourceType,
        resourceId,
        action,
        changes: { before, after },
      },
    ),
  );
}

export function presentPartner(row: typeof partners.$inferSelect) {
  return { id: row.id, object: "partner" as const, name: row.name, plan: row.plan, created_at: row.created_at, updated_at: row.updated_at };
}

function presentIssued(issued: IssuedCredential) {
  return {
    ...presentCredential({ ...issued.row, revoked_at: null } as typeof credentials.$inferSelect),
    client_secret: issued.client_secret,
    secret_key: issued.secret_key,
  };
}

export async function createPartner({ ctx, input }: { ctx: OperatorContext; input: z.infer<typeof CreatePartnerInput> }) {
  const partner = {
    id: newId("partner"),
    name: input.name,
    plan: input.plan ?? DEFAULT_PLAN,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  const issued = await mintCredential(partner.id, "test", ["partner"], ctx.now);
  await ctx.db.batch([
    ctx.db.insert(partners).values(partner),
    ctx.db.insert(credentials).values(issued.row),
    operatorAudit(ctx, partner.id, false, "partner", partner.id, "created", null, { name: partner.name, plan: partner.plan }),
    operatorAudit(ctx, partner.id, false, "credential", issued.id, "created", null, { mode: "test", scopes: issued.scopes }),
  ]);
  await ctx.env.PARTNER_GATE.getByName(partner.id).setPlan(partner.plan);
  return { ...presentPartner(partner), credentials: presentIssued(issued) };
}

async function findPartner(ctx: OperatorContext, id: string) {
  if (!isId("partner", id)) throw new NotFound("partner", id, "id");
  const [row] = await ctx.db.select().from(partners).where(eq(partners.id, id));
  if (!row) throw new NotFound("partner", id, "id");
  return row;
}

export async function getPartner({ ctx, id }: { ctx: OperatorContext; id: string }) {
  if (!isId("partner", id)) throw new NotFound("partner", id, "id");
  const [rows, creds] = await ctx.db.batch([
    ctx.db.select().from(partners).where(eq(partners.id, id)),
    ctx.db.select().from(credentials).where(eq(credentials.partner_id, id)).orderBy(credentials.created_at),
  ]);
  const row = rows[0];
  if (!row) throw new NotFound("partner", id, "id");
  return { ...presentPartner(row), credentials: creds.map(presentCredential) };
}

export async function updatePartner({ ctx, id, input }: { ctx: OperatorContext; id: string; input: z.infer<typeof UpdatePartnerInput> }) {
  const before = await findPartner(ctx, id);
  const after = { ...before, ...(input.name ? { name: input.name } : {}), ...(input.plan ? { plan: input.plan } : {}), updated_at: ctx.now };
  await ctx.db.batch([
    ctx.db.update(partners).set({ name: after.name, plan: after.plan, updated_at: ctx.now }).where(eq(partners.id, id)),
    operatorAudit(ctx, id, false, "partner", id, "updated", { name: before.name, plan: before.plan }, { name: after.name, plan: after.plan }),
  ]);
  if (after.plan !== before.plan) await ctx.env.PARTNER_GATE.getByName(id).setPlan(after.plan);
  return presentPartner(after);
}

export async function issueCredential({ ctx, partnerId, input }: { ctx: OperatorContext; partnerId: string; input: z.infer<typeof IssueCredentialInput> }) {
  await findPartner(ctx, partnerId);
  const issued = await mintCredential(partnerId, input.mode, input.scopes ?? ["partner"], ctx.now);
  await ctx.db.batch([
    ctx.db.insert(credentials).values(issued.row),
    operatorAudit(ctx, partnerId, input.mode === "live", "credential", issued.id, "created", null, { mode: input.mode, scopes: issued.scopes }),
  ]);
  return presentIssued(issued);
}

/**
 * Revokes at once: the gate learns it first (so no request slips through between the two
 * writes), then D1 records it. Revoking twice answers the revoked credential again.
 */
export async function revokeCredential({ ctx, partnerId, credentialId }: { ctx: OperatorContext; partnerId: string; credentialId: string }) {
  const where = and(eq(credentials.id, credentialId), eq(credentials.partner_id, partnerId));
  const [row] = await ctx.db.select().from(credentials).where(where);
  if (!row) throw new NotFound("credential", credentialId, "credential_id");
  if (row.status === "revoked") return presentCredential(row);
  await ctx.env.PARTNER_GATE.getByName(partnerId).revoke(credentialId);
  const revoked = { ...row, status: "revoked" as const, revoked_at: ctx.now, updated_at: ctx.now };
  await ctx.db.batch([
    ctx.db.update(credentials).set({ status: "revoked", revoked_at: ctx.now, updated_at: ctx.now }).where(where),
    operatorAudit(ctx, partnerId, row.mode === "live", "credential", credentialId, "revoked", { status: "active" }, { status: "revoked" }),
  ]);
  return presentCredential(revoked);
}
