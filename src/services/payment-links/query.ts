import { z } from "@hono/zod-openapi";
import { and, desc, eq, gt, gte, lte, sql, type SQL } from "drizzle-orm";
import { paymentIntents, paymentLinks } from "../../db/schema";
import { PAYMENT_CURRENCIES, PAYMENT_LINK_STATUSES, PAYMENT_LINK_TYPES } from "../../domain/payment-link";
import { Conflict, NotFound, ValidationError } from "../../lib/errors";
import { CentsQuery, DateBound, PaginationQuery } from "../../lib/fields";
import { Text } from "../../lib/text";
import { isId, pairedId } from "../../lib/ids";
import type { IntentResult } from "../../domain/payment-intent-rpc";
import type { LinkRevocationResult } from "../../db/projection/payment-intent";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { intentTenant } from "../payment-intents/intent-tenant";
import { equalTo, listPage, organizationParent, within } from "../pagination";
import { presentPaymentLinkOf } from "./present";
import { requestPayerEmailHash, requestPayerNameHash } from "./request-payer";
import { scoped, type OrganizationScope } from "../tenancy";

function linkWhere(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  return and(eq(paymentLinks.id, id), scoped(ctx, paymentLinks, organizationId));
}

export async function findPaymentLink(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  if (!isId("payment_link", id)) throw new NotFound("payment_link", id, "id");
  const [row] = await ctx.db.select().from(paymentLinks).where(linkWhere(ctx, organizationId, id));
  if (!row) throw new NotFound("payment_link", id, "id");
  return row;
}

export async function getPaymentLink({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  return presentPaymentLinkOf(ctx.env.ENCRYPTION_KEY, await findPaymentLink(ctx, organizationId, id), ctx.env.PUBLIC_BASE_URL);
}

/** The stored statuses, and two views of them (seed 003's list): `reminded`, `preauthorized`. */
export const LINK_STATUS_FILTERS = [...PAYMENT_LINK_STATUSES, "reminded", "preauthorized"] as const;

const Cents = CentsQuery({ min: 0, max: Number.MAX_SAFE_INTEGER });

export const ListPaymentLinksInput = PaginationQuery.extend({
  status: z.enum(LINK_STATUS_FILTERS).optional().openapi({
    description:
      "A link status, or `reminded` (active and reminded at least once) or `preauthorized` (a hold whose card is authorized and not yet captured nor released: its intent is `requires_capture`).",
  }),
  invoice_id: z.string().max(100).optional(),
  type: z.enum(PAYMENT_LINK_TYPES).optional(),
  currency: z.enum(PAYMENT_CURRENCIES).optional(),
  min_amount: Cents.optional().openapi({ description: "Amount at least this, in cents.", example: 1000 }),
  max_amount: Cents.optional().openapi({ description: "Amount at most this, in cents.", example: 50000 }),
  payer_name: Text({ min: 1, max: 200 })
    .optional()
    .openapi({ description: "A payment request's payer name, exact but for case, accents and spacing (`dupont jean` finds `DUPONT  Jean`).", example: "Jean Dupont" }),
  payer_email: z.string().max(254).optional().openapi({ description: "A payment request's payer email, exact (case-insensitive).", example: "jean.dupont@example.com" }),
  created_from: DateBound.optional().openapi({ description: "Created at or after (an instant, or a Paris date).", example: "2026-01-01" }),
  created_to: DateBound.optional().openapi({ description: "Created on or before (a Paris date covers the whole day).", example: "2026-12-31" }),
});

/** `reminded` and `preauthorized` are read from the reminder counter and the intent, not stored. */
function statusWhere(ctx: ServiceContext, organizationId: string, status: (typeof LINK_STATUS_FILTERS)[number] | undefined): SQL | undefined {
  if (status === undefined) return undefined;
  if (status === "reminded") return and(eq(paymentLinks.status, "active"), gt(paymentLinks.reminder_count, 0));
  if (status === "preauthorized") {
    return sql`EXISTS (SELECT 1 FROM ${paymentIntents} WHERE ${paymentIntents.id} = ${paymentLinks.payment_intent_id} AND ${scoped(ctx, paymentIntents, organizationId)} AND ${paymentIntents.status} = 'requires_capture')`;
  }
  return eq(paymentLinks.status, status);
}

/**
 * Newest first. The payer filters go through the blind indexes (a request's payer is sealed);
 * an invoice's link has none, so they select requests only.
 */
export async function listPaymentLinks({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListPaymentLinksInput> }) {
  if (input.min_amount !== undefined && input.max_amount !== undefined && input.min_amount > input.max_amount) {
    throw new ValidationError("max_amount must be at least min_amount.", "max_amount");
  }
  const key = ctx.env.ENCRYPTION_KEY;
  const [nameHash, emailHash] = await Promise.all([
    input.payer_name ? requestPayerNameHash(key, input.payer_name) : undefined,
    input.payer_email ? requestPayerEmailHash(key, input.payer_email) : undefined,
  ]);
  const where = and(
    scoped(ctx, paymentLinks, organizationId),
    ...equalTo(input, { invoice_id: paymentLinks.invoice_id, type: paymentLinks.type, currency: paymentLinks.currency }),
    statusWhere(ctx, organizationId, input.status),
    nameHash ? eq(paymentLinks.payer_name_hash, nameHash) : undefined,
    emailHash ? eq(paymentLinks.payer_email_hash, emailHash) : undefined,
    input.min_amount !== undefined ? gte(paymentLinks.amount, input.min_amount) : undefined,
    input.max_amount !== undefined ? lte(paymentLinks.amount, input.max_amount) : undefined,
    within(paymentLinks.created_at, input.created_from, input.created_to),
  );
  const rows = ctx.db.select().from(paymentLinks).where(where).orderBy(desc(paymentLinks.created_at), desc(paymentLinks.id));
  return listPage(ctx, input, { rows, from: paymentLinks, where, parent: organizationParent(ctx, organizationId) }, (row) =>
    presentPaymentLinkOf(key, row, ctx.env.PUBLIC_BASE_URL),
  );
}

/**
 * Revocation goes through the intent's Durable Object, which refuses once money is on its way
 * (409); the object's projection marks the link revoked in D1 before this returns.
 */
export async function revokePaymentLink({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("payment_link", id)) throw new NotFound("payment_link", id, "id");
  // A link's intent is named by the link's id (create-payment-link.ts): the object is asked
  // straight away — it checks the caller's tenant and that the link is its own — and answers
  // with the link as the projection batch that revoked it left it. The gate, then the object
  // and its one D1 batch: no read first (issue 16 §2). A link older than that naming, or one the
  // object did not project for this call (already revoked, expired, completed, a payment on its
  // way; D1 down), takes the path below: read it, check it, then ask its intent's object.
  const intentId = pairedId("payment_intent", id);
  const direct = await intentCall(ctx, intentId, "revoke", (stub) =>
    stub.revokeLink(intentId, { linkId: id, actor: { id: ctx.actor.id, type: "partner" }, requestId: ctx.requestId, tenant: intentTenant(ctx, organizationId) }) as unknown as Promise<LinkRevocationResult>,
  );
  if (direct.ok && direct.link) return presentPaymentLinkOf(ctx.env.ENCRYPTION_KEY, direct.link, ctx.env.PUBLIC_BASE_URL);
  // Refused or not found: the link's own state says why, in the link's words (a hold's completed
  // link is `payment_completed`, not the intent's `payment_authorized`), as it always has.

  const link = await findPaymentLink(ctx, organizationId, id);
  if (link.status === "revoked") return presentPaymentLinkOf(ctx.env.ENCRYPTION_KEY, link, ctx.env.PUBLIC_BASE_URL);
  // The same code the intent's object gives when its projection has not landed yet.
  if (link.status === "completed") throw new Conflict("The payment has already succeeded; a completed link cannot be revoked.", "payment_completed");
  if (link.status !== "active") throw new Conflict(`The link is ${link.status}; only an active link can be revoked.`, `payment_link_${link.status}`);
  const result = await intentCall(ctx, link.payment_intent_id, "cancel", (stub) =>
    stub.cancel(link.payment_intent_id, { reason: "revoked", actor: { id: ctx.actor.id, type: "partner" }, requestId: ctx.requestId, tenant: { partnerId: link.partner_id, livemode: link.livemode, organizationId: link.organization_id } }) as unknown as Promise<IntentResult>,
  );
  const { intent } = unwrapIntentResult(result, { notFound: { resource: "payment_link", id, param: "id" } });
  // The object has decided (and projected the link's status with it, as `revoked_at` = the
  // cancellation's time): the link as read, with that decision, is the answer — no second read.
  // A payment on its way or done was refused above by the object (409).
  const decided = intent.status === "canceled" ? { ...link, status: "revoked" as const, revoked_at: intent.updated_at, updated_at: intent.updated_at, version: link.version + 1 } : link;
  return presentPaymentLinkOf(ctx.env.ENCRYPTION_KEY, decided, ctx.env.PUBLIC_BASE_URL);
}
