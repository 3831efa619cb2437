import { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import { invoices } from "../../db/schema";
import type { ServiceContext } from "../context";
import { auditEntry } from "../context";
import { findInvoice, invoiceWhere } from "./get-invoice";
import { presentInvoice } from "./present";
import type { OrganizationScope } from "../tenancy";

export const SetInvoiceDunningInput = z
  .strictObject({
    paused: z.boolean().openapi({ description: "`true`: no dunning reminder goes to this invoice's payer (a dispute, a payment plan) until set back to `false`.", example: true }),
  })
  .openapi("InvoiceDunning", { example: { paused: true } });

/**
 * Pauses or resumes dunning for one invoice. Any status is accepted (a draft paused now stays
 * paused once issued). Setting the value it already has changes nothing and writes no audit
 * entry. Not an invoice version: the invoice's content and amounts do not change.
 */
export async function setInvoiceDunning({ ctx, organizationId: scope, id, input }: { ctx: ServiceContext; organizationId: OrganizationScope; id: string; input: z.infer<typeof SetInvoiceDunningInput> }) {
  const { row, creditNote, creditNotes } = await findInvoice(ctx, scope, id);
  // The invoice's own organization (X-Entity-Id is optional here): what the batch writes.
  const organizationId = row.organization_id;
  const after = { ...row, dunning_paused: input.paused, updated_at: ctx.now };
  if (row.dunning_paused === input.paused) return presentInvoice(ctx.env.ENCRYPTION_KEY, row, creditNote, creditNotes);
  const flips = and(invoiceWhere(ctx, organizationId, id), eq(invoices.dunning_paused, !input.paused));
  await ctx.db.batch([
    auditEntry(
      ctx,
      { organizationId, resourceType: "invoice", resourceId: id, action: input.paused ? "dunning_paused" : "dunning_resumed", before: { dunning_paused: row.dunning_paused }, after: { dunning_paused: input.paused } },
      sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${flips})`,
    ),
    ctx.db.update(invoices).set({ dunning_paused: input.paused, updated_at: ctx.now }).where(flips),
  ]);
  // Whoever flipped it (this request or a concurrent one with the same value), it is now as asked.
  return presentInvoice(ctx.env.ENCRYPTION_KEY, after, creditNote, creditNotes);
}
