import { z } from "@hono/zod-openapi";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import { invoices } from "../../db/schema";
import { parisToday } from "../../domain/dates";
import { BusinessRule } from "../../lib/errors";
import { isId } from "../../lib/ids";
import { auditEntry, type ServiceContext } from "../context";
import { scoped } from "../tenancy";
import type { InvoiceRow } from "./present";

/**
 * Deposit invoices ("factures d'acompte", seed 003) and the final invoices that deduct them.
 *
 * A deposit is an issued invoice of type `deposit`; once paid, a final (standard) invoice may
 * deduct it: the deposit's amount is shown as prepaid (EN 16931 BT-113) and lowers what the final
 * invoice asks for. A deposit is deducted once: while a draft lists it, the deposit row carries
 * `deducted_by` = that draft's id (a reservation, written in the draft's own batch and guarded so
 * that two drafts cannot both take it); the issue keeps it; cancelling the draft or the issued
 * final invoice releases it. Each reservation and release has its own audit entry on the deposit.
 */

export type DeductedDeposit = NonNullable<InvoiceRow["deducted_deposits"]>[number];

/** More would not fit one invoice's document sensibly; the ids travel as one JSON parameter. */
const MAX_DEPOSITS = 50;

export const DeductedDepositsInput = z
  .array(z.string().max(100))
  .max(MAX_DEPOSITS, `at most ${MAX_DEPOSITS} deposit invoices`)
  .superRefine((ids, issue) => {
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) issue.addIssue({ code: "custom", path: [i], message: `'${id}' is listed twice` });
    });
  })
  .openapi({
    description:
      "Standard invoices only: ids of issued and paid deposit invoices (`type: deposit`) of the same organization that this invoice deducts. Their amounts are shown as already paid and lower the amount due; each deposit can be deducted by one invoice only (it is reserved by this draft, and released if it is cancelled). 422 naming `deducted_deposits.<i>` when one is unknown, not a deposit, not paid or already deducted.",
    example: ["inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b"],
  });

type DepositRow = Pick<InvoiceRow, "id" | "type" | "status" | "invoice_number" | "issued_at" | "total_amount" | "credited_amount" | "deducted_by">;

/** What the deposit brings to the final invoice: what was paid on it net of any credit note. */
function depositAmount(row: Pick<InvoiceRow, "total_amount" | "credited_amount">): number {
  return row.total_amount - row.credited_amount;
}

function refusal(id: string, row: DepositRow | undefined, invoiceId: string): { code: string; message: string } | null {
  if (!row) return { code: "deposit_not_found", message: `No deposit invoice '${id}' in this organization.` };
  if (row.type !== "deposit") return { code: "not_a_deposit_invoice", message: `Invoice ${row.invoice_number ?? id} is not a deposit invoice (type ${row.type}): only deposit invoices can be deducted.` };
  if (row.status !== "paid") return { code: "deposit_not_paid", message: `Deposit invoice ${row.invoice_number ?? id} is ${row.status}: only an issued and paid deposit can be deducted.` };
  if (row.deducted_by !== null && row.deducted_by !== invoiceId) {
    return { code: "deposit_already_deducted", message: `Deposit invoice ${row.invoice_number} is already deducted by invoice ${row.deducted_by}.` };
  }
  return null;
}

/**
 * Reads the deposits an invoice (`invoiceId`, new or draft) is to deduct and checks each: 422
 * naming `deducted_deposits.<i>` for the first that is unknown (another organization's, partner's
 * or mode's answers the same), not a deposit, not paid or deducted by another invoice. Returns
 * the snapshot the invoice keeps (number, Paris issue date, amount) and their sum. One read.
 */
export async function resolveDeposits(ctx: ServiceContext, organizationId: string, invoiceId: string, ids: readonly string[]) {
  if (ids.length === 0) return { deposits: [] as DeductedDeposit[], amount: 0 };
  const wellFormed = ids.filter((id) => isId("invoice", id));
  const rows = wellFormed.length
    ? await ctx.db
        .select({
          id: invoices.id,
          type: invoices.type,
          status: invoices.status,
          invoice_number: invoices.invoice_number,
          issued_at: invoices.issued_at,
          total_amount: invoices.total_amount,
          credited_amount: invoices.credited_amount,
          deducted_by: invoices.deducted_by,
        })
        .from(invoices)
        .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} IN (SELECT value FROM json_each(${JSON.stringify(wellFormed)}))`))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const deposits = ids.map((id, i): DeductedDeposit => {
    const row = byId.get(id);
    const refused = refusal(id, row, invoiceId);
    if (refused || !row) throw new BusinessRule(refused!.message, refused!.code, `deducted_deposits.${i}`);
    return { invoice_id: row.id, invoice_number: row.invoice_number!, issue_date: parisToday(new Date(row.issued_at!)), amount: depositAmount(row) };
  });
  return { deposits, amount: deposits.reduce((s, d) => s + d.amount, 0) };
}

/** 422 unless what the deposits cover leaves something to pay on the final invoice. */
export function requireDepositsBelowTotal(depositsAmount: number, totalAmount: number) {
  if (depositsAmount > 0 && depositsAmount >= totalAmount) {
    throw new BusinessRule(
      `The deducted deposits (${depositsAmount} cents) ${depositsAmount === totalAmount ? "equal" : "exceed"} the invoice total (${totalAmount} cents): a final invoice must leave something to pay. Deduct fewer deposits.`,
      "deposits_exceed_total",
      "deducted_deposits",
    );
  }
}

/** A deposit invoice is itself an advance: it deducts nothing. */
export function requireStandardToDeduct(type: InvoiceRow["type"], ids: readonly string[] | null | undefined) {
  if (type === "deposit" && ids && ids.length > 0) {
    throw new BusinessRule("A deposit invoice cannot deduct other deposit invoices: only a standard (final) invoice can.", "deposit_cannot_deduct", "deducted_deposits");
  }
}

const idsJson = (ids: readonly string[]) => JSON.stringify(ids);

/**
 * SQL guard: every listed deposit is, right now, this organization's paid deposit invoice, free or
 * already reserved by `invoiceId`. Reserving them for `invoiceId` keeps it true, so the same guard
 * can sit on every statement of the batch whatever their order.
 */
export function depositsReservable(ctx: ServiceContext, organizationId: string, invoiceId: string, ids: readonly string[]): SQL {
  if (ids.length === 0) return sql`1`;
  return sql`(SELECT count(*) FROM ${invoices} WHERE ${scoped(ctx, invoices, organizationId)}
    AND ${invoices.id} IN (SELECT value FROM json_each(${idsJson(ids)}))
    AND ${invoices.type} = 'deposit' AND ${invoices.status} = 'paid'
    AND (${invoices.deducted_by} IS NULL OR ${invoices.deducted_by} = ${invoiceId})) = ${ids.length}`;
}

function depositWhere(ctx: ServiceContext, organizationId: string, depositId: string) {
  return and(eq(invoices.id, depositId), scoped(ctx, invoices, organizationId));
}

/**
 * The statements that reserve `ids` for `invoiceId`, for the invoice's own batch, all under
 * `guard` (which must include `depositsReservable`): an audit entry `deposit_reserved` on each
 * deposit not yet reserved (placed before the update, which they read), then the update.
 */
export function reserveDeposits(ctx: ServiceContext, organizationId: string, invoiceId: string, ids: readonly string[], guard: SQL) {
  if (ids.length === 0) return [];
  return [
    ...ids.map((depositId) =>
      auditEntry(
        ctx,
        { organizationId, resourceType: "invoice", resourceId: depositId, action: "deposit_reserved", before: { deducted_by: null }, after: { deducted_by: invoiceId } },
        sql`${guard} AND EXISTS (SELECT 1 FROM ${invoices} WHERE ${and(depositWhere(ctx, organizationId, depositId), isNull(invoices.deducted_by))})`,
      ),
    ),
    ctx.db
      .update(invoices)
      .set({ deducted_by: invoiceId })
      .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} IN (SELECT value FROM json_each(${idsJson(ids)}))`, isNull(invoices.deducted_by), guard)),
  ];
}

/**
 * The statements that release the deposits `invoiceId` holds among `ids` (those removed from a
 * draft's list, or all of them when it is cancelled), under `guard`: an audit entry
 * `deposit_released` on each, then the update. Place them before the statement that changes the
 * invoice itself when `guard` reads the invoice's version.
 */
export function releaseDeposits(ctx: ServiceContext, organizationId: string, invoiceId: string, ids: readonly string[], guard: SQL) {
  if (ids.length === 0) return [];
  return [
    ...ids.map((depositId) =>
      auditEntry(
        ctx,
        { organizationId, resourceType: "invoice", resourceId: depositId, action: "deposit_released", before: { deducted_by: invoiceId }, after: { deducted_by: null } },
        sql`${guard} AND EXISTS (SELECT 1 FROM ${invoices} WHERE ${and(depositWhere(ctx, organizationId, depositId), eq(invoices.deducted_by, invoiceId))})`,
      ),
    ),
    ctx.db
      .update(invoices)
      .set({ deducted_by: null })
      .where(and(scoped(ctx, invoices, organizationId), sql`${invoices.id} IN (SELECT value FROM json_each(${idsJson(ids)}))`, eq(invoices.deducted_by, invoiceId), guard)),
  ];
}

/**
 * For the issue of a final invoice (services/invoices/issue-invoice.ts): an SQL condition to AND
 * into the issue batch's guard, true when every deposit in the draft's `deducted_deposits` is still
 * a paid deposit of the organization, reserved by this invoice (`deducted_by` = its id), for the
 * amount the draft recorded (a credit note on a deposit since then changes what it brings). True
 * for an invoice that deducts nothing. `invoice` is the draft row read before the batch: pair it
 * with the usual version guard, so the list cannot change in between.
 *
 *   const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${stillDraft}) AND ${depositsStillDeductible(ctx, organizationId, before)}`;
 *
 * When the guarded batch writes nothing, `assertDepositsStillDeductible` (or calling it before the
 * batch, for a precise error) says which deposit is at fault.
 */
export function depositsStillDeductible(ctx: ServiceContext, organizationId: string, invoice: Pick<InvoiceRow, "id" | "deducted_deposits">): SQL {
  const list = invoice.deducted_deposits ?? [];
  if (list.length === 0) return sql`1`;
  const expected = JSON.stringify(list.map((d) => ({ id: d.invoice_id, amount: d.amount })));
  return sql`(SELECT count(*) FROM ${invoices} WHERE ${scoped(ctx, invoices, organizationId)}
    AND ${invoices.type} = 'deposit' AND ${invoices.status} = 'paid' AND ${invoices.deducted_by} = ${invoice.id}
    AND EXISTS (SELECT 1 FROM json_each(${expected}) AS d
      WHERE json_extract(d.value, '$.id') = ${invoices.id} AND json_extract(d.value, '$.amount') = ${invoices.total_amount} - ${invoices.credited_amount})) = ${list.length}`;
}

/**
 * 422 naming `deducted_deposits.<i>` when a deposit of the draft can no longer be deducted (refunded,
 * released, or its amount changed by a credit note since the draft listed it): the partner edits
 * the draft's `deducted_deposits` again (the same list refreshes the amounts).
 */
export async function assertDepositsStillDeductible(ctx: ServiceContext, organizationId: string, invoice: Pick<InvoiceRow, "id" | "deducted_deposits">) {
  const list = invoice.deducted_deposits ?? [];
  const { deposits } = await resolveDeposits(ctx, organizationId, invoice.id, list.map((d) => d.invoice_id));
  deposits.forEach((d, i) => {
    if (d.amount !== list[i]!.amount) {
      throw new BusinessRule(
        `Deposit invoice ${d.invoice_number} now brings ${d.amount} cents, not the ${list[i]!.amount} this draft recorded (a credit note was made on it): send deducted_deposits again to update the draft.`,
        "deposit_amount_changed",
        `deducted_deposits.${i}`,
      );
    }
  });
}

/** Ids of the deposits a stored invoice deducts. */
export function depositIds(row: Pick<InvoiceRow, "deducted_deposits">): string[] {
  return (row.deducted_deposits ?? []).map((d) => d.invoice_id);
}
