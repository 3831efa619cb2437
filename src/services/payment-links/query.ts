import { and, count, desc, eq } from "drizzle-orm";
import { organizations, paymentLinks } from "../../db/schema";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { pagination } from "../../lib/openapi";
import type { IntentResult } from "../../durable/payment-intent";
import { intentCall, type ServiceContext } from "../context";
import { organizationWhere } from "../organizations/get-organization";
import { presentPaymentLink } from "./present";
import { scoped } from "../tenancy";

function linkWhere(ctx: ServiceContext, organizationId: string, id: string) {
  return and(eq(paymentLinks.id, id), scoped(ctx, paymentLinks, organizationId));
}

export async function findPaymentLink(ctx: ServiceContext, organizationId: string, id: string) {
  if (!isId("payment_link", id)) throw new NotFound("payment_link", id, "id");
  const [row] = await ctx.db.select().from(paymentLinks).where(linkWhere(ctx, organizationId, id));
  if (!row) throw new NotFound("payment_link", id, "id");
  return row;
}

export async function getPaymentLink({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  return presentPaymentLink(await findPaymentLink(ctx, organizationId, id), ctx.env.PUBLIC_BASE_URL);
}

export async function listPaymentLinks({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: { page: number; pageSize: number; offset: number; status?: "active" | "completed" | "expired" | "revoked" | undefined; invoice_id?: string | undefined };
}) {
  const where = and(
    scoped(ctx, paymentLinks, organizationId),
    input.status ? eq(paymentLinks.status, input.status) : undefined,
    input.invoice_id ? eq(paymentLinks.invoice_id, input.invoice_id) : undefined,
  );
  const [org, rows, [total]] = await ctx.db.batch([
    ctx.db.select({ id: organizations.id }).from(organizations).where(organizationWhere(ctx, organizationId)),
    ctx.db.select().from(paymentLinks).where(where).orderBy(desc(paymentLinks.created_at), desc(paymentLinks.id)).limit(input.pageSize).offset(input.offset),
    ctx.db.select({ n: count() }).from(paymentLinks).where(where),
  ]);
  if (org.length === 0) throw new NotFound("organization", organizationId, "X-Entity-Id");
  return { data: rows.map((r) => presentPaymentLink(r, ctx.env.PUBLIC_BASE_URL)), pagination: pagination(input.page, input.pageSize, total?.n ?? 0) };
}

/**
 * Revocation goes through the intent's Durable Object, which refuses once money is on its way
 * (409); the object's projection marks the link revoked in D1 before this returns.
 */
export async function revokePaymentLink({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: string; id: string }) {
  const link = await findPaymentLink(ctx, organizationId, id);
  if (link.status === "revoked") return presentPaymentLink(link, ctx.env.PUBLIC_BASE_URL);
  // The same code the intent's object gives when its projection has not landed yet.
  if (link.status === "completed") throw new Conflict("The payment has already succeeded; a completed link cannot be revoked.", "payment_completed");
  if (link.status !== "active") throw new Conflict(`The link is ${link.status}; only an active link can be revoked.`, `payment_link_${link.status}`);
  const result = await intentCall(ctx, link.payment_intent_id, "cancel", (stub) =>
    stub.cancel(link.payment_intent_id, { reason: "revoked", actor: { id: ctx.actor.id, type: "partner" }, requestId: ctx.requestId, tenant: { partnerId: link.partner_id, livemode: link.livemode, organizationId: link.organization_id } }) as unknown as Promise<IntentResult>,
  );
  if (!result.ok) {
    if (result.status === 409) throw new Conflict(result.message, result.code);
    throw new BusinessRule(result.message, result.code);
  }
  // The object has decided; if its projection has not reached D1 yet (it retries), say what it decided.
  const after = await findPaymentLink(ctx, organizationId, id);
  const revoked = after.status === "active" && result.intent.status === "canceled" ? { ...after, status: "revoked" as const, revoked_at: result.intent.updated_at } : after;
  return presentPaymentLink(revoked, ctx.env.PUBLIC_BASE_URL);
}
