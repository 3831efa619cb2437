import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { creditNotes, invoices, type StoredLine } from "../../db/schema";
import { CREDIT_NOTE_TYPES } from "../../domain/credit-note";
import { PaginationQuery } from "../../lib/fields";
import type { ServiceContext } from "../context";
import { presentCreditNote } from "../invoices/present";
import { invoiceLines } from "./invoice-lines";
import { equalTo, listPage, organizationParent } from "../pagination";
import { scoped } from "../tenancy";

export const ListCreditNotesInput = PaginationQuery.extend({
  invoice_id: z.string().max(100).optional().openapi({ description: "The credit notes of this invoice.", example: "inv-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b" }),
  type: z.enum(CREDIT_NOTE_TYPES).optional().openapi({ description: "`cancellation` (an invoice cancelled) or `price_reduction` (a refund that lowered the price)." }),
});

/** Newest first; the organization check, the page (with each note's invoice lines) and the count in one round trip. */
export async function listCreditNotes({ ctx, organizationId, input }: { ctx: ServiceContext; organizationId: string; input: z.infer<typeof ListCreditNotesInput> }) {
  const where = and(scoped(ctx, creditNotes, organizationId), ...equalTo(input, { invoice_id: creditNotes.invoice_id, type: creditNotes.type }));
  const rows = ctx.db
    .select({ note: creditNotes, invoiceLines })
    .from(creditNotes)
    .innerJoin(invoices, and(eq(invoices.id, creditNotes.invoice_id), scoped(ctx, invoices, organizationId)))
    .where(where)
    .orderBy(desc(creditNotes.created_at), desc(creditNotes.id));
  return listPage(ctx, input, { rows, from: creditNotes, where, parent: organizationParent(ctx, organizationId) }, (r) => presentCreditNote(r.note, JSON.parse(r.invoiceLines) as StoredLine[]));
}
