import { drizzle } from "drizzle-orm/d1";
import * as logsSchema from "../../db/logs-schema";
import { requestLogs } from "../../db/logs-schema";

/**
 * One API call, as the request hands it to the `request-logs` queue (src/middleware/request-log.ts)
 * and the consumer writes it to LOGS. Built from the request line's shape and the caller's identity
 * only: never a body, a header value that authenticates, nor a query value.
 */
export interface RequestLogMessage {
  id: string;
  request_id: string;
  partner_id: string | null;
  livemode: boolean | null;
  organization_id: string | null;
  credential_id: string | null;
  method: string;
  route: string;
  path_ids: Record<string, string>;
  status: number;
  duration_ms: number;
  ip: string | null;
  user_agent: string | null;
  idempotency_key: string | null;
  replayed: boolean;
  created_at: string;
}

export function createLogsDb(d1: D1Database) {
  return drizzle(d1, { schema: logsSchema });
}

export type LogsDb = ReturnType<typeof createLogsDb>;

/**
 * Writes a batch of call records in one D1 batch (one statement per row: D1 binds at most 100
 * values per statement). A record's id is fixed by the request, so a batch the queue delivers
 * again after a crash inserts nothing twice.
 */
export async function writeRequestLogs({ db, records }: { db: LogsDb; records: RequestLogMessage[] }): Promise<void> {
  if (records.length === 0) return;
  // The log is not a tenant's resource: rows are written for callers the API never identified
  // (partner_id null), so owner() does not apply; each row carries the owner the request resolved.
  const [first, ...rest] = records.map((r) => db.insert(requestLogs).values(r).onConflictDoNothing({ target: requestLogs.id }));
  await db.batch([first!, ...rest]);
}
