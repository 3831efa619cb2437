import { createDb } from "../db/client";
import { parisToday } from "../domain/dates";
import { insideSendingWindow } from "../domain/dunning";
import type { Env } from "../env";
import { runDunning } from "../services/dunning/run-dunning";

/**
 * Every tenant's dunning steps due today (Paris), sent only between 08:00 and 20:00 Paris: a run
 * outside the window does nothing, and the 08:00 run sends what came due overnight.
 */
export async function sendDunningReminders(env: Env, now: Date, ctx: ExecutionContext) {
  if (!insideSendingWindow(now)) return { dunning_reminders_sent: 0, dunning_finished: 0 };
  return runDunning({ db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}`, defer: (work) => ctx.waitUntil(work) }, { asOf: parisToday(now) });
}
