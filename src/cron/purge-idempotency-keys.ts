import { lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import type { Env } from "../env";

/** Idempotency keys live 24 h (expired ones are already ignored; this reclaims the rows). */
export async function purgeExpiredIdempotencyKeys(env: Env, now: Date) {
  const db = createDb(env.DB);
  const result = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expires_at, now.toISOString())).run();
  return { purged: result.meta.changes };
}
