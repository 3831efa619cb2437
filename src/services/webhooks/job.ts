import { createDb, type Db } from "../../db/client";
import type { Env } from "../../env";

/** What queue and cron work on webhooks receives: storage, bindings, a clock, and waitUntil. */
export interface JobContext {
  db: Db;
  env: Env;
  now: () => Date;
  defer: (work: Promise<unknown>) => void;
}

export function jobContext(env: Env, executionCtx: ExecutionContext): JobContext {
  return { db: createDb(env.DB), env, now: () => new Date(), defer: (work) => executionCtx.waitUntil(work) };
}

/** Cloudflare Queues take at most 100 messages per sendBatch. */
export async function sendInChunks(queue: Env["WEBHOOKS"], bodies: Parameters<Env["WEBHOOKS"]["send"]>[0][]) {
  for (let i = 0; i < bodies.length; i += 100) {
    await queue.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body })));
  }
}
