import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

/**
 * One object per payment intent: the source of truth for its state, serializing every
 * transition and refund balance check (DESIGN.md §2). Built by the payments issue; here it only
 * prepares its storage so the class, its binding and its SQLite migration exist from day one.
 */
export class PaymentIntent extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, payload TEXT NOT NULL, created_at INTEGER NOT NULL);
      `);
    });
  }
}
