import { and, eq } from "drizzle-orm";
import { creditNotes, invoices, type StoredLine } from "../../db/schema";
import { NotFound } from "../../lib/errors";
import { isId } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { presentCreditNote } from "../invoices/present";
import { invoiceLines } from "./invoice-lines";
import { scoped, type OrganizationScope } from "../tenancy";

/**
 * A credit note of the organization with the lines it credits (a cancellation's are its
 * invoice's), in one query. Another partner's, mode's or organization's → 404.
 */
export async function getCreditNote({ ctx, organizationId, id }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string }) {
  if (!isId("credit_note", id)) throw new NotFound("credit_note", id, "id");
  const [row] = await ctx.db
    .select({ note: creditNotes, invoiceLines })
    .from(creditNotes)
    .innerJoin(invoices, and(eq(invoices.id, creditNotes.invoice_id), scoped(ctx, invoices, organizationId)))
    .where(and(eq(creditNotes.id, id), scoped(ctx, creditNotes, organizationId)));
  if (!row) throw new NotFound("credit_note", id, "id");
  return presentCreditNote(row.note, JSON.parse(row.invoiceLines) as StoredLine[]);
}
