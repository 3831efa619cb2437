import { createDb } from "../db/client";
import type { Env } from "../env";
import { archivePendingDocuments } from "../services/documents/archive-pending";

/** Documents not made at their resource's creation (see services/documents/archive-pending.ts). */
export async function archiveDocuments(env: Env, now: Date, ctx: ExecutionContext) {
  return archivePendingDocuments({ db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}`, defer: (work) => ctx.waitUntil(work) });
}
