import { createDb } from "../db/client";
import { parisToday } from "../domain/dates";
import type { Env } from "../env";
import { sweepExpiredQuotes } from "../services/quotes/sweep-expired-quotes";

/** Every tenant's sent quotes whose last valid day (Paris) is before today expire. */
export async function expireQuotes(env: Env, now: Date, ctx: ExecutionContext) {
  return sweepExpiredQuotes(
    { db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}`, defer: (work) => ctx.waitUntil(work) },
    { asOf: parisToday(now) },
  );
}
