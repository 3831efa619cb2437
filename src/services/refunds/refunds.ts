import { z } from "@hono/zod-openapi";
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { invoices, paymentIntents, refunds } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { STANDING_ISSUED_STATUSES } from "../../domain/invoice-status";
import { statusIn } from "../../db/status-sql";
import { intentIdRange, REFUND_TYPES, refundIdNaming, type RefundInvoice } from "../../domain/refund";
import { BusinessRule, Conflict, NotFound } from "../../lib/errors";
import { Cents } from "../../lib/fields";
import { derivedId, isId, newId } from "../../lib/ids";
import { Text } from "../../lib/text";
import type { RefundResult } from "../../domain/payment-intent-rpc";
import { intentCall, type ServiceContext } from "../context";
import { unwrapIntentResult } from "../payment-intents/intent-result";
import { ANY_ORGANIZATION, scoped, type OrganizationScope } from "../tenancy";

export type RefundRow = typeof refunds.$inferSelect;

export function presentRefundRow(row: RefundRow) {
  return {
    id: row.id,
    object: "refund" as const,
    livemode: row.livemode,
    payment_intent_id: row.payment_intent_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    type: row.type,
    credit_note_id: row.credit_note_id,
    failure_code: row.failure_code,
    pending_reason: row.pending_reason,
    version: row.version,
    created_at: row.created_at,
    completed_at: row.completed_at,
  };
}

export const CreateRefundInput = z
  .strictObject({
    payment_intent_id: z.string().openapi({ example: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
    amount: Cents({ min: 1 }).optional().openapi({ description: "In cents; default: all that remains refundable.", example: 10000 }),
    reason: Text({ min: 1, max: 500 }).optional().openapi({ example: "Remise commerciale de 100€" }),
    type: z
      .enum(REFUND_TYPES)
      .optional()
      .openapi({
        description:
          "`price_reduction`: the price is lowered (a commercial discount, a billing error): once the refund succeeds a partial credit note (AV-…) is issued for its amount, VAT split over the invoice's rates in proportion; the invoice's payable amount drops by as much and a paid invoice stays `paid`. `repayment`: money goes back and the price stands (a duplicate payment, a goodwill refund to be paid again): the invoice is owed that amount again. Default: `price_reduction` when the invoice is paid in full (`paid`) when the refund is asked and the refund has a `reason`, else `repayment`. A payment request without an invoice can only be repaid: `price_reduction` → 422 `credit_note_requires_invoice`; its default is `repayment`.",
        example: "price_reduction",
      }),
  })
  .openapi("RefundCreate", { example: { payment_intent_id: "pi-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b", amount: 10000, reason: "Remise commerciale de 100€" } });

/**
 * The balance check and the refund's creation happen in the intent's Durable Object (one
 * synchronous transaction), which answers once the refund is in its storage and projects it to
 * D1 just after (getRefund reads it from the object until it lands). The object checks the
 * tenant itself. The request costs the gate, one D1 read of the invoice (the type's default
 * needs its status, a price reduction its number, date and VAT breakdown, and a deposit invoice
 * whether an issued final invoice deducts it) and this one call. The object cannot read the invoice more cheaply: it
 * holds one intent, and an invoice may be paid by several.
 */
export async function createRefund({
  ctx,
  organizationId,
  input,
}: {
  ctx: ServiceContext;
  organizationId: string;
  input: z.infer<typeof CreateRefundInput>;
}) {
  if (!isId("payment_intent", input.payment_intent_id)) throw new NotFound("payment_intent", input.payment_intent_id, "payment_intent_id");
  // With an Idempotency-Key the refund id is derived from it: a retry after a crash (when the
  // key's claim is taken over and the handler runs again) finds the refund it already made.
  // The id names its intent (refundIdNaming): a read finds the refund in the intent's object
  // while its D1 row is on its way.
  const refundId = refundIdNaming(
    input.payment_intent_id,
    ctx.idempotencyKey
      ? await derivedId("refund", `${ctx.principal.partnerId}:${ctx.principal.livemode}:${input.payment_intent_id}`, ctx.idempotencyKey)
      : newId("refund"),
  );
  // The type's default rule needs the invoice's status, and a price reduction its number, date
  // and VAT breakdown for the credit note; and a deposit already deducted by an issued final
  // invoice cannot be given back (that invoice's document shows it as prepaid): one read.
  const { invoice: refunded, deductedBy } = await refundedInvoice(ctx, organizationId, input.payment_intent_id);
  // A payment request without an invoice can only be repaid: a price reduction is a credit
  // note, and a credit note corrects an invoice.
  if (!refunded && input.type === "price_reduction") {
    throw new BusinessRule(
      "This payment has no invoice (a payment request): it can only be repaid (type repayment); a price reduction issues a credit note, which needs an invoice.",
      "credit_note_requires_invoice",
      "type",
    );
  }
  if (refunded && deductedBy) {
    throw new Conflict(
      `This payment is on deposit invoice ${refunded.invoice_number}, deducted by issued invoice ${deductedBy}, whose document shows it as prepaid: correct the final invoice with a credit note instead.`,
      "deposit_deducted",
      "payment_intent_id",
    );
  }
  const invoice = input.type === "repayment" || !refunded ? null : refunded;
  const result = await intentCall(ctx, input.payment_intent_id, "refund", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.refund(input.payment_intent_id, {
      refundId,
      amount: input.amount,
      reason: input.reason ?? null,
      type: input.type ?? null,
      invoice,
      tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId },
      actor: { id: ctx.actor.id, type: "partner" },
      requestId: ctx.requestId,
    }) as unknown as Promise<RefundResult>,
  );
  return unwrapIntentResult(result, {
    notFound: { resource: "payment_intent", id: input.payment_intent_id, param: "payment_intent_id" },
    param: { conflict: "payment_intent_id", rule: "amount", invalid: "amount" },
  }).refund;
}

/**
 * The invoice a payment intent pays, as a refund of it needs it (null for a payment request
 * without an invoice); 404 when the intent is not the caller's.
 */
async function refundedInvoice(ctx: ServiceContext, organizationId: string, intentId: string): Promise<{ invoice: RefundInvoice | null; deductedBy: string | null }> {
  const theIntent = and(eq(paymentIntents.id, intentId), scoped(ctx, paymentIntents, organizationId));
  const [rows, finals] = await ctx.db.batch([
    ctx.db
      .select({ status: invoices.status, invoice_number: invoices.invoice_number, issued_at: invoices.issued_at, tax_breakdown: invoices.tax_breakdown })
      .from(paymentIntents)
      .leftJoin(invoices, and(eq(invoices.id, paymentIntents.invoice_id), scoped(ctx, invoices, organizationId)))
      .where(theIntent),
    // The issued final invoice that deducts this invoice, when it is a deposit (each subquery
    // reads its own `invoices`: the paid invoice, then the one naming it in deducted_by).
    ctx.db
      .select({ invoice_number: invoices.invoice_number })
      .from(invoices)
      .where(
        and(
          scoped(ctx, invoices, organizationId),
          statusIn(invoices.status, STANDING_ISSUED_STATUSES),
          sql`${invoices.id} = (SELECT ${invoices.deducted_by} FROM ${invoices} WHERE ${scoped(ctx, invoices, organizationId)} AND ${invoices.id} = (SELECT ${paymentIntents.invoice_id} FROM ${paymentIntents} WHERE ${theIntent}))`,
        ),
      ),
  ]);
  const row = rows[0];
  if (!row) throw new NotFound("payment_intent", intentId, "payment_intent_id");
  if (row.status === null) return { invoice: null, deductedBy: null };
  return {
    invoice: {
      status: row.status,
      // A payment is only ever made on an issued invoice, which has its number and date.
      invoice_number: row.invoice_number ?? "",
      invoice_issue_date: row.issued_at ? parisToday(new Date(row.issued_at)) : "",
      tax_breakdown: row.tax_breakdown ?? [],
    },
    deductedBy: finals[0]?.invoice_number ?? null,
  };
}

/**
 * A refund of the organization: its D1 row, or, while that row is on its way (the intent's
 * object answers a refund before projecting it), the intent's object. The common path is one
 * D1 round trip: the same batch reads the intents the id names (refundIdNaming), so only a
 * refund not yet in D1 costs its object's call as well.
 */
export async function getRefund({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  const found = await findRefund(ctx, organizationId, id);
  return "row" in found ? presentRefundRow(found.row) : found.refund;
}

type RefundIntent = { id: string; organization_id: string };

/**
 * The refund wherever it is now: its D1 row, or else (its projection still on the way) the
 * object of the intent its id names that knows it, with that intent. 404 when neither has it.
 */
async function findRefund(
  ctx: ServiceContext,
  organizationId: OrganizationScope,
  id: string,
): Promise<{ row: RefundRow } | { intent: RefundIntent; refund: Extract<RefundResult, { ok: true }>["refund"] }> {
  if (!isId("refund", id)) throw new NotFound("refund", id, "id");
  const found = await locateRefund(ctx, organizationId, id);
  if ("row" in found) return found;
  for (const intent of found.intents) {
    const result = await findInObject(ctx, intent, id);
    if (result.ok) return { intent, refund: result.refund };
  }
  throw new NotFound("refund", id, "id");
}

/**
 * The refund's D1 row, or else the payment intents its id may name (usually one, none for an id
 * we never minted), in one batch.
 */
async function locateRefund(ctx: ServiceContext, organizationId: OrganizationScope, id: string): Promise<{ row: RefundRow } | { intents: RefundIntent[] }> {
  const range = intentIdRange(id);
  const [rows, intents] = await ctx.db.batch([
    ctx.db
      .select()
      .from(refunds)
      .where(and(eq(refunds.id, id), scoped(ctx, refunds, organizationId))),
    ctx.db
      .select({ id: paymentIntents.id, organization_id: paymentIntents.organization_id })
      .from(paymentIntents)
      .where(and(gte(paymentIntents.id, range.from), lt(paymentIntents.id, range.to), scoped(ctx, paymentIntents, organizationId)))
      .limit(4),
  ]);
  return rows[0] ? { row: rows[0] } : { intents };
}

async function findInObject(ctx: ServiceContext, intent: RefundIntent, refundId: string): Promise<RefundResult> {
  return intentCall(ctx, intent.id, "findRefund", (stub) =>
    // RPC stubs wrap the result union in a way TypeScript cannot narrow: name it.
    stub.findRefund(intent.id, {
      refundId,
      tenant: { partnerId: ctx.principal.partnerId, livemode: ctx.principal.livemode, organizationId: intent.organization_id },
    }) as unknown as Promise<RefundResult>,
  );
}

/** Seed 001 "Suivi des remboursements": every refund of a payment intent, oldest first. */
export async function listIntentRefunds({ ctx, organizationId, intentId }: { ctx: ServiceContext; organizationId: OrganizationScope; intentId: string }) {
  if (!isId("payment_intent", intentId)) throw new NotFound("payment_intent", intentId, "id");
  const [intent, rows] = await ctx.db.batch([
    ctx.db
      .select({ id: paymentIntents.id })
      .from(paymentIntents)
      .where(
        and(eq(paymentIntents.id, intentId), scoped(ctx, paymentIntents, organizationId)),
      ),
    ctx.db.select().from(refunds).where(and(eq(refunds.payment_intent_id, intentId), scoped(ctx, refunds, organizationId))).orderBy(asc(refunds.created_at), asc(refunds.id)),
  ]);
  if (intent.length === 0) throw new NotFound("payment_intent", intentId, "id");
  return { data: rows.map(presentRefundRow) };
}

/**
 * The intent a refund belongs to, for the caller (partner and mode): the sandbox simulator's
 * lookup. A refund not yet in D1 is found in the intent its id names.
 */
export async function refundOfPartner(ctx: ServiceContext, id: string): Promise<{ id: string; payment_intent_id: string; organization_id: string }> {
  const found = await findRefund(ctx, ANY_ORGANIZATION, id);
  return "row" in found ? found.row : { id, payment_intent_id: found.intent.id, organization_id: found.intent.organization_id };
}
