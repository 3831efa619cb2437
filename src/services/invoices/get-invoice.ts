import { and, asc, eq } from "drizzle-orm";
import { creditNotes, invoices } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentInvoice } from "./present";
import { scoped, type OrganizationScope } from "../tenancy";

export function invoiceWhere(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  return and(eq(invoices.id, id), scoped(ctx, invoices, organizationId));
}

/**
 * The invoice, the credit note that cancelled it (if one did) and all its credit notes (partial
 * ones: price reductions), in one round trip.
 */
/** An invoice's credit notes, oldest first (a query, to batch with others). */
export function creditNotesOf(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  return ctx.db
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.invoice_id, id), scoped(ctx, creditNotes, organizationId)))
    .orderBy(asc(creditNotes.created_at), asc(creditNotes.id));
}

export async function findInvoice(ctx: ServiceContext, organizationId: OrganizationScope, id: string) {
  if (!isId("invoice", id)) throw new NotFound("invoice", id, "id");
  const [rows, notes] = await ctx.db.batch([ctx.db.select().from(invoices).where(invoiceWhere(ctx, organizationId, id)), creditNotesOf(ctx, organizationId, id)]);
  const row = rows[0];
  if (!row) throw new NotFound("invoice", id, "id");
  return { row, creditNote: notes.find((n) => n.type === "cancellation") ?? null, creditNotes: notes };
}

export async function getInvoice({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  const { row, creditNote, creditNotes: notes } = await findInvoice(ctx, organizationId, id);
  return presentInvoice(ctx.env.ENCRYPTION_KEY, row, creditNote, notes);
}
