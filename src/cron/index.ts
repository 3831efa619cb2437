import type { Env } from "../env";
import { anchorAuditChains } from "./anchor-audit-chains";
import { archiveDocuments } from "./archive-documents";
import { sendDunningReminders } from "./dunning";
import { expireQuotes } from "./expired-quotes";
import { markOverdueInvoices } from "./overdue-invoices";
import { expireLinks, reconcileIntents } from "./payment-links";
import { privacyBackfill } from "./privacy-backfill";
import { sendReceipts } from "./receipts";
import { purgeAttemptExcerpts } from "./purge-attempt-excerpts";
import { purgeAuditEntries } from "./purge-audit-entries";
import { purgeAuditIps } from "./purge-audit-ips";
import { purgeEventPayloads } from "./purge-event-payloads";
import { purgeExpiredIdempotencyKeys } from "./purge-idempotency-keys";
import { purgeRequestLogs } from "./purge-request-logs";
import { relayStuckDeliveries } from "./relay-deliveries";
import { relayOutbox } from "./relay-outbox";
import { relayMessages } from "./relay-messages";
import { sealAuditChains } from "../services/audit-logs/seal-audit-chains";
import { log } from "../lib/log";

/** Cron strings exactly as in wrangler.toml `[triggers] crons`. */
export const SCHEDULES = {
  everyMinute: "* * * * *",
  hourly: "0 * * * *",
  daily: "15 0 * * *",
} as const;

type Job = (env: Env, now: Date, ctx: ExecutionContext) => Promise<unknown>;

const JOBS: Record<string, Job[]> = {
  [SCHEDULES.everyMinute]: [relayOutbox, relayStuckDeliveries, expireLinks, reconcileIntents, archiveDocuments, sendReceipts, relayMessages, sealAuditChains],
  // Hourly, so invoices turn overdue (and sent quotes expire) within an hour of midnight in Paris whatever the DST offset.
  // Retention and privacy: event payloads and webhook response excerpts purged after 90 days, API call
  // logs (in LOGS) after a year, audit entries' IP addresses after a year (the chain covers their
  // keyed hash) and audit entries after 10 years; rows written before sealing, sealed.
  // Dunning reminders go out only between 08:00 and 20:00 Paris (the job checks the hour); their
  // steps are by due date, not status, so they need not wait for the overdue sweep beside them.
  [SCHEDULES.hourly]: [purgeExpiredIdempotencyKeys, markOverdueInvoices, expireQuotes, purgeEventPayloads, purgeAttemptExcerpts, purgeRequestLogs, purgeAuditIps, purgeAuditEntries, privacyBackfill, sendDunningReminders],
  // The day's anchor of each audit chain's head, to R2 (services/audit-logs/anchors.ts).
  [SCHEDULES.daily]: [anchorAuditChains],
};

export async function runScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
  const jobs = JOBS[controller.cron];
  if (!jobs) {
    log.error("no job for this cron", { cron: controller.cron });
    return;
  }
  const now = new Date(controller.scheduledTime);
  // Jobs are independent: one failing must not stop the others, but each failure is reported.
  const results = await Promise.allSettled(jobs.map((job) => job(env, now, ctx)));
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      log.error("cron job failed", { job: jobs[i]!.name, error: r.reason });
    }
  });
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
