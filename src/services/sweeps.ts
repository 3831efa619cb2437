import { changes } from "../db/guarded";
import { publishEvents, systemContext, type ServiceContext } from "./context";

type BatchItem = Parameters<ServiceContext["db"]["batch"]>[0][number];

/** What a scheduled sweep runs with (cron, or the sandbox endpoint for its caller's tenant). */
export type SweepBase = Parameters<typeof systemContext>[0];

/**
 * One row's status change: its audit entry and its event, both guarded like the update, then the
 * update itself, guarded on the status and version read.
 */
export interface SweptRow {
  eventId: string;
  statements: [audit: BatchItem, event: BatchItem, update: BatchItem];
}

const PAGE = 50;
const MAX_PAGES = 40;

/**
 * Moves the rows a status sweep finds due (invoices turning overdue, quotes expiring), a page at a
 * time, each page in one batch: a row that a concurrent request moved first changes nothing and
 * reports nothing. Each tenant's events are published (and marked enqueued) under that tenant.
 * Stops at a short page, or at a page where nothing moved (the rows the query finds again would
 * lose again). Returns how many rows moved.
 */
export async function sweepStatuses<Row extends { partner_id: string; livemode: boolean }>(
  base: SweepBase,
  job: string,
  due: (limit: number) => Promise<Row[]>,
  move: (ctx: ServiceContext, row: Row) => Promise<SweptRow>,
): Promise<number> {
  let moved = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await due(PAGE);
    if (rows.length === 0) break;

    const swept: { ctx: ServiceContext; eventId: string }[] = [];
    const statements: BatchItem[] = [];
    for (const row of rows) {
      const ctx = systemContext(base, { partnerId: row.partner_id, livemode: row.livemode }, job);
      const { eventId, statements: own } = await move(ctx, row);
      swept.push({ ctx, eventId });
      statements.push(...own);
    }
    const results = await base.db.batch(statements as [BatchItem, ...BatchItem[]]);
    // Row k's update is statement 3k+2; its event exists only if that update happened.
    const byTenant = new Map<string, { ctx: ServiceContext; ids: string[] }>();
    let written = 0;
    swept.forEach(({ ctx, eventId }, k) => {
      if (changes(results[3 * k + 2]) !== 1) return;
      written++;
      const key = `${ctx.principal.partnerId}:${ctx.principal.livemode}`;
      if (!byTenant.has(key)) byTenant.set(key, { ctx, ids: [] });
      byTenant.get(key)!.ids.push(eventId);
    });
    moved += written;
    for (const { ctx, ids } of byTenant.values()) publishEvents(ctx, ids);
    if (rows.length < PAGE || written === 0) break;
  }
  return moved;
}
