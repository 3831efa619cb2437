import { DurableObject } from "cloudflare:workers";
import type { ThrottleRule, ThrottleState } from "../domain/auth-throttle";
import type { Env } from "../env";

/**
 * One per bucket of failed authentications (a client_id at the token endpoint, a client IP at
 * the token endpoint or the admin API: services/auth/throttle.ts names them). Counts failures in
 * a fixed window that starts at the first failure, exactly and for every isolate at once (an
 * in-memory map would count per isolate, and an attacker's requests spread over many). Only
 * failures are counted: a bucket that never fails costs one read per attempt and stores nothing.
 * The window is deleted by an alarm when it ends (all storage), so idle buckets keep nothing.
 * Every method is synchronous SQLite work: no await, so calls never interleave.
 */
export class AuthThrottle extends DurableObject<Env> {
  /** Whether an attempt may be made now. */
  check(rule: ThrottleRule, now = Date.now()): ThrottleState {
    const window = this.current(rule, now, false);
    return this.state(rule, window, now);
  }

  /** Counts one failed attempt; says whether the bucket is now blocked. */
  fail(rule: ThrottleRule, now = Date.now()): ThrottleState {
    const window = this.current(rule, now, true);
    const next = window ? { started_at: window.started_at, failures: window.failures + 1 } : { started_at: now, failures: 1 };
    this.ctx.storage.sql.exec(
      "INSERT INTO failure_window (id, started_at, failures) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET started_at = excluded.started_at, failures = excluded.failures",
      next.started_at,
      next.failures,
    );
    if (!window) void this.ctx.storage.setAlarm(next.started_at + rule.windowSeconds * 1000);
    return this.state(rule, next, now);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  /**
   * The window in progress, if any. The table is made by the first failure, not in the
   * constructor: checks alone store nothing, and the alarm deletes all storage, table included.
   */
  private current(rule: ThrottleRule, now: number, create: boolean): { started_at: number; failures: number } | null {
    const sql = this.ctx.storage.sql;
    if (create) sql.exec("CREATE TABLE IF NOT EXISTS failure_window (id INTEGER PRIMARY KEY CHECK (id = 1), started_at INTEGER NOT NULL, failures INTEGER NOT NULL)");
    else if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'failure_window'").toArray().length === 0) return null;
    const row = sql.exec<{ started_at: number; failures: number }>("SELECT started_at, failures FROM failure_window WHERE id = 1").toArray()[0];
    return row && now < row.started_at + rule.windowSeconds * 1000 ? row : null;
  }

  private state(rule: ThrottleRule, window: { started_at: number; failures: number } | null, now: number): ThrottleState {
    if (!window || window.failures < rule.maxFailures) return { blocked: false, retryAfterSeconds: 0 };
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((window.started_at + rule.windowSeconds * 1000 - now) / 1000)) };
  }
}
