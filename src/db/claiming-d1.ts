import { IdempotencyKeyHeld } from "../lib/errors";
import { isUniqueViolation } from "./guarded";

/**
 * A D1 client that writes an Idempotency-Key's claim inside the operation's own first write, so a
 * key costs no round trip of its own (issue 16, DESIGN.md §2): the statements `claim()` returns
 * (delete the key's expired row, then a plain INSERT of the key as `in_flight`, no ON CONFLICT)
 * are put in front of the first execution that writes (a batch holding an INSERT, UPDATE, DELETE
 * or REPLACE, or one such statement run alone) and sent with it as one D1 batch. D1 runs a batch
 * as one transaction: if another request's batch already wrote the key, the INSERT fails on the
 * key's primary key and nothing of the operation is written; the caller gets `IdempotencyKeyHeld`
 * and every later write of the request is refused the same way (a service that catches and
 * retries cannot slip past). Reads go through untouched, before and after.
 *
 * Drizzle runs on top of it (it only calls prepare, bind and the statement methods, and batch);
 * underneath is the request's own client (timed, on its D1 session), so the merged batch is one
 * round trip in Server-Timing like any other.
 */

/** How the claim went, once the request is over. */
export type ClaimOutcome =
  /** Nothing was written: no claim either (the request answered before its first write, or that write failed). */
  | "none"
  /** The key row was committed with the operation's first write. */
  | "claimed"
  /** Another request's batch holds the key: nothing of this one was written. */
  | "held";

export interface ClaimingD1 {
  /** The client to build the request's drizzle instance on. */
  d1: D1Database;
  /**
   * Waits for a claim in flight, then freezes the outcome: a write that starts afterwards (work
   * deferred past the response) goes through without a claim.
   */
  settle(): Promise<ClaimOutcome>;
}

const WRITE = /^\s*(?:insert|update|delete|replace)\b/i;
const CTE = /^\s*with\b/i;
const WRITE_ANYWHERE = /\b(?:insert|update|delete|replace)\b/i;

/** Whether a statement writes, from its SQL text (a CTE in front of a write included). */
export function isWriteSql(sql: string): boolean {
  return WRITE.test(sql) || (CTE.test(sql) && WRITE_ANYWHERE.test(sql));
}

type Run = (statements: D1PreparedStatement[]) => Promise<D1Result[]>;

class ClaimingStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly writes: boolean,
    private readonly claimer: Claimer,
  ) {}

  bind(...values: unknown[]): ClaimingStatement {
    return new ClaimingStatement(this.inner.bind(...values), this.writes, this.claimer);
  }

  first<T>(col?: string): Promise<T | null> {
    const direct = () => (col === undefined ? this.inner.first<T>() : this.inner.first<T>(col));
    if (!this.writes) return direct();
    return this.claimer.write(direct, async (run) => {
      const row = (await this.single(run)).results[0] as Record<string, unknown> | undefined;
      if (row === undefined) return null;
      return (col === undefined ? row : (row[col] ?? null)) as T | null;
    });
  }

  all<T>(): Promise<D1Result<T>> {
    if (!this.writes) return this.inner.all<T>();
    return this.claimer.write(() => this.inner.all<T>(), (run) => this.single(run) as Promise<D1Result<T>>);
  }

  run<T>(): Promise<D1Result<T>> {
    if (!this.writes) return this.inner.run<T>();
    return this.claimer.write(() => this.inner.run<T>(), (run) => this.single(run) as Promise<D1Result<T>>);
  }

  raw<T>(options?: { columnNames?: boolean }): Promise<T[]> {
    const direct = () => (options?.columnNames ? (this.inner.raw<T>({ columnNames: true }) as unknown as Promise<T[]>) : this.inner.raw<T>());
    if (!this.writes) return direct();
    return this.claimer.write(direct, async (run) => {
      // A write's RETURNING columns have distinct names, so its rows survive the trip through objects.
      const rows = (await this.single(run)).results as Record<string, unknown>[];
      const values = rows.map((row) => Object.values(row));
      return (options?.columnNames ? [Object.keys(rows[0] ?? {}), ...values] : values) as T[];
    });
  }

  /** This statement's result, out of the batch that carried the claim in front of it. */
  private async single(run: Run): Promise<D1Result> {
    const results = await run([this.inner]);
    return results[0]!;
  }
}

class Claimer {
  private state: "open" | "claimed" | "held" | "settled" = "open";
  private inFlight: Promise<unknown> | null = null;

  constructor(
    private readonly db: D1Database,
    private readonly claim: (db: D1Database) => D1PreparedStatement[],
  ) {}

  /**
   * Runs a write: as is (`direct`) once the key is claimed or the request settled, else through
   * `merged`, given a runner that sends its statements behind the claim's in one batch and
   * returns their results only. One claim at a time: a write started while the claim is in
   * flight waits for its outcome.
   */
  async write<T>(direct: () => Promise<T>, merged: (run: Run) => Promise<T>): Promise<T> {
    for (;;) {
      if (this.state === "held") throw new IdempotencyKeyHeld();
      if (this.state !== "open") return direct();
      if (this.inFlight === null) break;
      await this.inFlight.catch(() => undefined);
    }
    const attempt = merged(async (statements) => {
      const claim = this.claim(this.db);
      try {
        const results = await this.db.batch([...claim, ...statements]);
        this.state = "claimed";
        return results.slice(claim.length);
      } catch (error) {
        if (isUniqueViolation(error, "idempotency_keys.")) {
          this.state = "held";
          throw new IdempotencyKeyHeld();
        }
        // Any other failure rolled the claim back with the rest: the next write claims again.
        throw error;
      }
    });
    this.inFlight = attempt;
    try {
      return await attempt;
    } finally {
      this.inFlight = null;
    }
  }

  batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const inner = statements.map((s) => (s instanceof ClaimingStatement ? s.inner : s));
    const writes = statements.some((s) => s instanceof ClaimingStatement && s.writes);
    if (!writes) return this.db.batch<T>(inner);
    return this.write(
      () => this.db.batch<T>(inner),
      (run) => run(inner) as Promise<D1Result<T>[]>,
    );
  }

  async settle(): Promise<ClaimOutcome> {
    while (this.inFlight !== null) await this.inFlight.catch(() => undefined);
    if (this.state === "open") this.state = "settled";
    return this.state === "claimed" ? "claimed" : this.state === "held" ? "held" : "none";
  }
}

/**
 * Wraps `db` (the request's client) so that its first write carries the statements `claim`
 * builds on it. `claim` is called at that moment, so its timestamps are the write's.
 */
export function claimingD1(db: D1Database, claim: (db: D1Database) => D1PreparedStatement[]): ClaimingD1 {
  const claimer = new Claimer(db, claim);
  const d1 = {
    prepare: (sql: string) => new ClaimingStatement(db.prepare(sql), isWriteSql(sql), claimer),
    batch: <T>(statements: D1PreparedStatement[]) => claimer.batch<T>(statements),
  };
  return { d1: d1 as unknown as D1Database, settle: () => claimer.settle() };
}
