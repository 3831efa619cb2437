import type { ProjectionRecord } from "../../db/projection/payment-intent";
import type { IntentState, ProviderStep } from "../../domain/payment-intent";
import type { RefundOutcome, RefundState } from "../../domain/refund";

/** What the one alarm has to do, at its time. */
export type Timer =
  | { kind: "expire" }
  | { kind: "provider_step"; attempt: number; step: ProviderStep }
  | { kind: "refund_settle"; refundId: string; outcome: RefundOutcome }
  /** A card hold reaches capture_before: released if still uncaptured. */
  | { kind: "hold_expire" };

/**
 * If the process dies between a transition and the drain that lands it in D1, this alarm (armed
 * with the record, in the same transaction) drains it after the restart.
 */
const DRAIN_SAFETY_MS = 2000;

/**
 * The PaymentIntent object's own SQLite storage: its state, its refunds, its outbox of records
 * to project to D1, its timers and a little bookkeeping. Everything here is synchronous; callers
 * group writes with `transaction` so that a transition and its outbox record land together.
 */
export class IntentStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql() {
    return this.storage.sql;
  }

  /** Run once per instance, in the constructor's blockConcurrencyWhile. */
  setUp(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS timers (id INTEGER PRIMARY KEY AUTOINCREMENT, due_at INTEGER NOT NULL, timer TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS refunds (id TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL);
    `);
  }

  /** One synchronous storage transaction: all of `work`'s writes, or none if it throws. */
  transaction<T>(work: () => T): T {
    return this.storage.transactionSync(work);
  }

  // ── state ──

  state(): IntentState | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.json) as IntentState) : null;
  }

  saveState(s: IntentState): void {
    this.sql.exec("INSERT INTO state (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", JSON.stringify(s));
  }

  /**
   * Inside a transaction: the new state and the outbox record of its transition, with an alarm
   * armed to drain it. Without that alarm, a refund on a paid intent committed here stayed
   * invisible in D1 and unsettled until something else woke the object (the cron only reconciles
   * unpaid intents). Found by `npm run soak`'s fault run.
   */
  commit(next: IntentState, record: ProjectionRecord, now: number): void {
    this.saveState(next);
    this.sql.exec("INSERT INTO outbox (record, created_at) VALUES (?, ?)", JSON.stringify(record), now);
    void this.storage.setAlarm(now + DRAIN_SAFETY_MS);
  }

  // ── refunds ──

  refunds(): RefundState[] {
    return this.sql
      .exec<{ json: string }>("SELECT json FROM refunds ORDER BY created_at, id")
      .toArray()
      .map((r) => JSON.parse(r.json) as RefundState);
  }

  refund(id: string): RefundState | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM refunds WHERE id = ?", id).toArray()[0];
    return row ? (JSON.parse(row.json) as RefundState) : null;
  }

  saveRefund(r: RefundState): void {
    this.sql.exec(
      "INSERT INTO refunds (id, json, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      r.id,
      JSON.stringify(r),
      Date.parse(r.created_at),
    );
  }

  // ── timers ──

  addTimer(dueAt: number, timer: Timer): void {
    this.sql.exec("INSERT INTO timers (due_at, timer) VALUES (?, ?)", dueAt, JSON.stringify(timer));
  }

  dueTimers(now: number): { id: number; timer: Timer }[] {
    return this.sql
      .exec<{ id: number; timer: string }>("SELECT id, timer FROM timers WHERE due_at <= ? ORDER BY due_at, id", now)
      .toArray()
      .map((r) => ({ id: r.id, timer: JSON.parse(r.timer) as Timer }));
  }

  deleteTimer(id: number): void {
    this.sql.exec("DELETE FROM timers WHERE id = ?", id);
  }

  nextTimerAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(due_at) AS t FROM timers").one().t;
  }

  // ── outbox ──

  outbox(): { seq: number; record: string }[] {
    return this.sql.exec<{ seq: number; record: string }>("SELECT seq, record FROM outbox ORDER BY seq").toArray();
  }

  hasOutbox(): boolean {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n > 0;
  }

  deleteFromOutbox(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
  }

  // ── bookkeeping ──

  meta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
  }

  /** The one alarm (all timers and the projection retry share it). */
  async setAlarm(at: number | null): Promise<void> {
    if (at === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(at);
  }
}
