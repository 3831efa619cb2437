import type { Env } from "../env";
import { markOverdueInvoices } from "./overdue-invoices";
import { expireLinks, reconcileIntents } from "./payment-links";
import { purgeExpiredIdempotencyKeys } from "./purge-idempotency-keys";
import { relayStuckDeliveries } from "./relay-deliveries";
import { relayOutbox } from "./relay-outbox";

/** Cron strings exactly as in wrangler.toml `[triggers] crons`. */
export const SCHEDULES = {
  everyMinute: "* * * * *",
  hourly: "0 * * * *",
} as const;

type Job = (env: Env, now: Date, ctx: ExecutionContext) => Promise<unknown>;

const JOBS: Record<string, Job[]> = {
  [SCHEDULES.everyMinute]: [relayOutbox, relayStuckDeliveries, expireLinks, reconcileIntents],
  // Hourly, so invoices turn overdue within an hour of midnight in Paris whatever the DST offset.
  [SCHEDULES.hourly]: [purgeExpiredIdempotencyKeys, markOverdueInvoices],
};

export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
  const jobs = JOBS[controller.cron];
  if (!jobs) {
    console.error(JSON.stringify({ level: "error", msg: "no job for this cron", cron: controller.cron }));
    return;
  }
  const now = new Date(controller.scheduledTime);
  // Jobs are independent: one failing must not stop the others, but each failure is reported.
  const results = await Promise.allSettled(jobs.map((job) => job(env, now, ctx)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      console.error(JSON.stringify({ level: "error", msg: "cron job failed", job: jobs[i]!.name, error: String(r.reason) }));
    }
  });
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
