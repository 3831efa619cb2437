import { createDb } from "../db/client";
import type { Env } from "../env";
import { sendDueReceipts } from "../services/payments/send-receipts";

/** Payments of the last 48 hours with no receipt yet get theirs (services/payments/send-receipts.ts). */
export async function sendReceipts(env: Env, now: Date, ctx: ExecutionContext) {
  return sendDueReceipts({ db: createDb(env.DB), env, requestId: `cron_${now.toISOString()}`, defer: (work) => ctx.waitUntil(work) }, { now });
}
