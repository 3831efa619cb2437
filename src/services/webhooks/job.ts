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
