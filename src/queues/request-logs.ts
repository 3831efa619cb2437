import type { Env } from "../env";
import { log } from "../lib/log";
import { createLogsDb, writeRequestLogs, type RequestLogMessage } from "../services/request-logs/write-request-logs";

/** How long a batch waits before the queue tries LOGS again, after a failed insert. */
export const REQUEST_LOG_RETRY_DELAY_SECONDS = 30;

/**
 * `request-logs` (and its dead-letter queue, which tries once more): the batch's records go to
 * LOGS in one D1 batch. If LOGS fails, the whole batch is retried later (an insert is idempotent
 * on the record's id); after the queue's max_retries the records go to request-logs-dlq, and past
 * its retries they are dropped: the call log is never worth blocking the queue for ever.
 */
export async function handleRequestLogs(batch: MessageBatch<RequestLogMessage>, env: Env) {
  try {
    await writeRequestLogs({ db: createLogsDb(env.LOGS), records: batch.messages.map((m) => m.body) });
    for (const message of batch.messages) message.ack();
  } catch (error) {
    log.error("request logs not written, retried", { queue: batch.queue, count: batch.messages.length, error });
    for (const message of batch.messages) message.retry({ delaySeconds: REQUEST_LOG_RETRY_DELAY_SECONDS });
  }
}
