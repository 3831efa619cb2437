import { createDb } from "../db/client";
import { parisToday } from "../domain/dates";
import type { Env } from "../env";
import { sweepOverdue } from "../services/invoices/sweep-overdue";

/** Every tenant's issued invoices whose due date (Paris) is before today turn overdue. */
export async function markOverdueInvoices(env: Env, now: Date, ctx: ExecutionContext) {
  return sweepOverdue(
    { db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}`, defer: (work) => ctx.waitUntil(work) },
    { asOf: parisToday(now) },
  );
}
