import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { changes } from "../../db/guarded";
import type { Db } from "../../db/client";
import { invoices } from "../../db/schema";
import { OVERDUE_CANDIDATES } from "../../domain/invoice-status";
import type { Env } from "../../env";
import { newId } from "../../lib/ids";
import { auditEntry, eventEntry, publishEvents, sealedEvent, systemContext, type ServiceContext } from "../context";
import { unsealPayer } from "./payer";
import { presentInvoiceWith } from "./present";
import { ANY_ORGANIZATION, scoped } from "../tenancy";

const PAGE = 50;
const MAX_PAGES = 40;
export const OVERDUE_JOB = "overdue-sweep";

/**
 * Marks issued and partially paid invoices whose due date (Paris) is before `asOf` as overdue.
 * Each invoice moves in a statement guarded on the version read, with its audit entry and its
 * `invoice.status_changed` under the same guard: a concurrent payment wins, and no invoice is
 * reported twice. Scoped to one tenant for the sandbox endpoint; all tenants from cron.
 */
export async function sweepOverdue(
  base: { db: Db; env: Env; requestId: string; defer: ServiceContext["defer"] },
  options: { asOf: string; tenant?: { partnerId: string; livemode: boolean } },
): Promise<{ invoices_marked_overdue: number }> {
  let marked = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    // tenancy-exempt: from cron the sweep covers every tenant; the sandbox endpoint scopes it to its caller.
    const due = await base.db
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
      .limit(PAGE);
    if (due.length === 0) break;

    const eventIds: string[] = [];
    const contexts: ServiceContext[] = [];
    const statements = [];
    for (const row of due) {
      const ctx = systemContext(base, { partnerId: row.partner_id, livemode: row.livemode }, OVERDUE_JOB);
      const payer = await unsealPayer(base.env.ENCRYPTION_KEY, row.id, row.payer_encrypted);
      const after = { ...row, status: "overdue" as const, version: row.version + 1, updated_at: ctx.now };
      const unchanged = and(eq(invoices.id, row.id), scoped(ctx, invoices, row.organization_id), eq(invoices.status, row.status), eq(invoices.version, row.version));
      const guard = sql`EXISTS (SELECT 1 FROM ${invoices} WHERE ${unchanged})`;
      const eventId = newId("event");
      eventIds.push(eventId);
      contexts.push(ctx);
      statements.push(
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
      );
    }
    const results = await base.db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
    // Invoice k's update is statement 3k+2; its event exists only if that update happened.
    const written = eventIds.filter((_, k) => changes(results[3 * k + 2]) === 1);
    marked += written.length;
    // Each tenant's events are published (and marked enqueued) under that tenant.
    const byTenant = new Map<string, { ctx: ServiceContext; ids: string[] }>();
    eventIds.forEach((id, k) => {
      if (changes(results[3 * k + 2]) !== 1) return;
      const ctx = contexts[k]!;
      const key = `${ctx.principal.partnerId}:${ctx.principal.livemode}`;
      if (!byTenant.has(key)) byTenant.set(key, { ctx, ids: [] });
      byTenant.get(key)!.ids.push(id);
    });
    for (const { ctx, ids } of byTenant.values()) publishEvents(ctx, ids);
    if (due.length < PAGE || written.length === 0) break;
  }
  return { invoices_marked_overdue: marked };
}
