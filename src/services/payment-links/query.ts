import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { paymentLinks } from "../../db/schema";
import { PAYMENT_LINK_STATUSES } from "../../domain/payment-link";
import { Conflict, NotFound } from "../../lib/errors";
import { PaginationQuery } from "../../lib/fields";
import { isId } from "../../lib/ids";
import type { IntentResult } from "../../domain/payment-intent-rpc";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { equalTo, listPage, organizationParent } from "../pagination";
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

export const ListPaymentLinksInput = PaginationQuery.extend({
  status: z.enum(PAYMENT_LINK_STATUSES).optional(),
  invoice_id: z.string().max(100).optional(),
});

export async function listPaymentLinks({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListPaymentLinksInput> }) {
  const where = and(scoped(ctx, paymentLinks, organizationId), ...equalTo(input, { status: paymentLinks.status, invoice_id: paymentLinks.invoice_id }));
  const rows = ctx.db.select().from(paymentLinks).where(where).orderBy(desc(paymentLinks.created_at), desc(paymentLinks.id));
  return listPage(ctx, input, { rows, from: paymentLinks, where, parent: organizationParent(ctx, organizationId) }, (row) => presentPaymentLink(row, ctx.env.PUBLIC_BASE_URL));
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
  const { intent } = unwrapIntentResult(result, { notFound: { resource: "payment_link", id, param: "id" } });
  // The object has decided; if its projection has not reached D1 yet (it retries), say what it decided.
  const after = await findPaymentLink(ctx, organizationId, id);
  const revoked = after.status === "active" && intent.status === "canceled" ? { ...after, status: "revoked" as const, revoked_at: intent.updated_at } : after;
  return presentPaymentLink(revoked, ctx.env.PUBLIC_BASE_URL);
}
