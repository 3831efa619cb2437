import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { invoices } from "../../db/schema";
import { OVERDUE_CANDIDATES } from "../../domain/invoice-status";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, sealedEvent } from "../context";
import { sweepStatuses, type SweepBase } from "../sweeps";
import { unsealPayer } from "./payer";
import { presentInvoiceWith } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

export const OVERDUE_JOB = "overdue-sweep";

/**
 * Marks issued and partially paid invoices whose due date (Paris) is before `asOf` as overdue.
 * Each invoice moves in a statement guarded on the version read, with its audit entry and its
 * `invoice.status_changed` under the same guard: a concurrent payment wins, and no invoice is
 * reported twice. Scoped to one tenant for the sandbox endpoint; all tenants from cron.
 */
export async function sweepOverdue(
  base: SweepBase,
  options: { asOf: string; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ invoices_marked_overdue: number }> {
  const marked = await sweepStatuses(
    base,
    OVERDUE_JOB,
    (limit) =>
      // tenancy-exempt: from cron the sweep covers every tenant; the sandbox endpoint scopes it to its caller.
      base.db
        .select()
        .from(invoices)
        .where(
          and(
            inArray(invoices.status, [...OVERDUE_CANDIDATES]),
            lt(invoices.due_date, options.asOf),
            options.tenant ? scoped(options.tenant, invoices, ANY_ORGANIZATION) : undefined,
          ),
        )
        .orderBy(asc(invoices.due_date), asc(invoices.id))
        .limit(limit),
    async (ctx, row) => {
      const payer = await unsealPayer(base.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
      const after = { ...row, status: "overdue" as const, version: row.version + 1, updated_at: ctx.now };
      const unchanged = and(eq(invoices.id, row.id), scoped(ctx, invoices, row.organization_id), eq(invoices.status, row.status), eq(invoices.version, row.version));
      const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${unchanged})`;
      const eventId = newId("event");
      return {
        eventId,
        statements: [
          auditEntry(
            ctx,
            { organizationId: row.organization_id, resourceType: "invoice", resourceId: row.id, action: "status_changed", before: { status: row.status }, after: { status: "overdue", as_of: options.asOf } },
            guard,
          ),
          eventEntry(
            ctx,
            await sealedEvent(ctx, {
              id: eventId,
              organizationId: row.organization_id,
              type: "invoice.status_changed",
              data: { invoice_id: row.id, previous_status: row.status, current_status: "overdue", invoice: presentInvoiceWith(after, payer) },
            }),
            guard,
          ),
          ctx.db.update(invoices).set({ status: "overdue", version: after.version, updated_at: ctx.now }).where(unchanged),
        ],
      };
    },
  );
  return { invoices_marked_overdue: marked };
}
