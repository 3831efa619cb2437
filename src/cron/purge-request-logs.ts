import { asc, inArray, lt } from "drizzle-orm";
import { requestLogs } from "../db/logs-schema";
import { yearsBefore } from "../domain/dates";
import type { Env } from "../env";
import { createLogsDb } from "../services/request-logs/write-request-logs";

/** Rows per statement, and statements per run: at most 5 000 rows a run, so a run stays short; a backlog drains over a few hours. */
export const REQUEST_LOG_PURGE_BATCH = 1_000;
export const REQUEST_LOG_PURGE_ROUNDS = 5;


/**
 * Retention of the API call log: rows older than one year are deleted from LOGS, oldest first
 * (request_logs_created_idx), at most REQUEST_LOG_PURGE_BATCH × REQUEST_LOG_PURGE_ROUNDS per run.
 * Idempotent: a deleted row is gone, and a run with nothing due deletes nothing. A failing LOGS
 * fails this job only (src/cron/index.ts settles every job on its own).
 */
export async function purgeRequestLogs(env: Env, now: Date) {
  const db = createLogsDb(env.LOGS);
  const cutoff = yearsBefore(now, 1);
  let purged = 0;
  for (let round = 0; round < REQUEST_LOG_PURGE_ROUNDS; round++) {
    // The log spans every partner (and callers never identified): the age is the only filter.
    const due = db.select({ id: requestLogs.id }).from(requestLogs).where(lt(requestLogs.created_at, cutoff)).orderBy(asc(requestLogs.created_at)).limit(REQUEST_LOG_PURGE_BATCH);
    const result = await db.delete(requestLogs).where(inArray(requestLogs.id, due)).run();
    purged += result.meta.changes;
    if (result.meta.changes < REQUEST_LOG_PURGE_BATCH) break;
  }
  return { purged };
}
