import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { creditNotes, invoices } from "../../db/schema";
import type { Env } from "../../env";
import { log } from "../../lib/log";
import { systemContext, type ServiceContext } from "../context";
import { scoped } from "../tenancy";
import { ensureCreditNoteDocuments } from "./invoice-documents";

export const ARCHIVE_JOB = "document-archive";
const BATCH = 20;

/**
 * The minute cron: credit notes whose documents are not made yet — a price reduction settled inside
 * a payment intent's projection, or a cancel that crashed after its batch — get them now, so the
 * archive never waits for a download. Oldest first, a bounded number per run.
 */
export async function archivePendingDocuments(base: { db: Db; env: Env; requestId: string; defer: ServiceContext["defer"] }): Promise<{ credit_notes_archived: number }> {
  // tenancy-exempt: a system job over every tenant; each note is then handled under its own tenant.
  const pending = await base.db.select().from(creditNotes).where(isNull(creditNotes.document_sha256)).orderBy(asc(creditNotes.created_at)).limit(BATCH);
  let archived = 0;
  for (const note of pending) {
    const ctx = systemContext(base, { partnerId: note.partner_id, livemode: note.livemode }, ARCHIVE_JOB);
    try {
      const [invoice] = await ctx.db.select().from(invoices).where(and(eq(invoices.id, note.invoice_id), scoped(ctx, invoices, note.organization_id)));
      if (!invoice) continue;
      const { made } = await ensureCreditNoteDocuments(ctx, note, invoice);
      if (made) archived++;
    } catch (err) {
      // One bad note must not hold back the others; it is retried next minute.
      log.error("credit note archive failed", { credit_note_id: note.id, error: err });
    }
  }
  return { credit_notes_archived: archived };
}
