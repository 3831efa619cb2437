import { DurableObject } from "cloudflare:workers";
import { PLAN_RATE_LIMITS } from "../domain/plans";
import type { Env } from "../env";
import type { Mode, Plan } from "../lib/principal";

export interface GateDecision {
  /** False when the credential was revoked: the request is answered 401. */
  credentialActive: boolean;
  /** False when over the limit: the request is answered 429. */
  allowed: boolean;
  limit: number | null;
  remaining: number | null;
  /** Unix seconds at which the current window ends. */
  resetAt: number;
}

const WINDOW_MS = 60_000;
/**
 * A window's count is persisted on requests 1, 1 + PERSIST_EVERY, 1 + 2 × PERSIST_EVERY, …: a
 * stored count c means c to c + PERSIST_EVERY − 1 requests were admitted. An instance that starts
 * mid-window (a deploy, a crash: an idle object is only evicted after its window has ended)
 * resumes at c + PERSIST_EVERY − 1, so the limit is never exceeded; the caller may at worst be
 * refused up to PERSIST_EVERY − 1 requests early in that one minute.
 */
export const PERSIST_EVERY = 16;

/**
 * One per partner. Counts requests in fixed one-minute windows, one window per mode so that
 * test traffic (or a leaked test key) can never throttle live traffic (never over the limit,
 * unlike the platform's approximate rate-limit binding; see PERSIST_EVERY) and knows which credentials are revoked, so a revoked key or
 * a token minted from it stops working at once, without a D1 lookup on each request.
 * Every method is synchronous SQLite work: no await, so calls never interleave.
 */
export class PartnerGate extends DurableObject<Env> {
  /*
   * Mirrors of the tables, read once when the object starts: every request asks `hit`, and three
   * SQLite reads per request were most of the gate's CPU (`npm run profile:cpu`). Only this
   * object's own methods write its storage, one at a time. The revoked set and the plan are
   * written through (a mirror never differs from its table); a window's count is written on its
   * first request and then every PERSIST_EVERY-th, not on each (a SQLite write per request was
   * an eighth of a read's CPU), and a new instance restores it as the most it can have been.
   */
  private revoked = new Set<string>();
  private plan: Plan | null = null;
  private windows = new Map<string, { windowStart: number; count: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // SQLite calls are synchronous: the mirrors are loaded before the constructor returns, so
    // before any call reaches the object (no blockConcurrencyWhile needed).
    const sql = ctx.storage.sql;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS revoked_credentials (credential_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);
      DROP TABLE IF EXISTS request_window;
      CREATE TABLE IF NOT EXISTS request_windows (mode TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL);
    `);
    for (const row of sql.exec<{ credential_id: string }>("SELECT credential_id FROM revoked_credentials")) this.revoked.add(row.credential_id);
    const planRow = sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'plan'").toArray()[0];
    this.plan = (planRow?.value as Plan | undefined) ?? null;
    for (const row of sql.exec<{ mode: string; window_start: number; count: number }>("SELECT mode, window_start, count FROM request_windows")) {
      this.windows.set(row.mode, { windowStart: row.window_start, count: row.count + PERSIST_EVERY - 1 });
    }
  }

  setPlan(plan: Plan): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO settings (key, value) VALUES ('plan', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      plan,
    );
    this.plan = plan;
  }

  revoke(credentialId: string, now = Date.now()): void {
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO revoked_credentials (credential_id, revoked_at) VALUES (?, ?)",
      credentialId,
      now,
    );
    this.revoked.add(credentialId);
  }

  /** Counts one request of `credentialId` in its mode's window and says whether it may proceed. */
  hit(credentialId: string, mode: Mode, fallbackPlan: Plan, now = Date.now()): GateDecision {
    const sql = this.ctx.storage.sql;
    const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const resetAt = (windowStart + WINDOW_MS) / 1000;
    if (this.revoked.has(credentialId)) return { credentialActive: false, allowed: false, limit: null, remaining: null, resetAt };

    const limit = PLAN_RATE_LIMITS[this.plan ?? fallbackPlan];

    const row = this.windows.get(mode);
    const count = row && row.windowStart === windowStart ? row.count + 1 : 1;
    if ((count - 1) % PERSIST_EVERY === 0) {
      sql.exec(
        "INSERT INTO request_windows (mode, window_start, count) VALUES (?, ?, ?) ON CONFLICT(mode) DO UPDATE SET window_start = excluded.window_start, count = excluded.count",
        mode,
        windowStart,
        count,
      );
    }
    this.windows.set(mode, { windowStart, count });
    if (limit === null) return { credentialActive: true, allowed: true, limit: null, remaining: null, resetAt };
    return { credentialActive: true, allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetAt };
  }
}
